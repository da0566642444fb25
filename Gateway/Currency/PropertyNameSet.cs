using System.Text.Json;

namespace Gateway.Currency;

/// <summary>
/// A few property names, matched against the name a <see cref="Utf8JsonReader"/> is on, with the answers of
/// <see cref="Utf8JsonReader.ValueTextEquals(ReadOnlySpan{byte})"/> but cheaper for the names that match none: a name of a
/// length no entry has is refused on its length alone, and an unescaped name is compared as bytes.
/// </summary>
internal sealed class PropertyNameSet
{
    private readonly byte[][] _names;

    /// <summary>Bit n set: an entry is n bytes long. Longer names than 63 bytes are not in the mask and are always compared.</summary>
    private readonly ulong _lengths;

    public PropertyNameSet(IEnumerable<JsonEncodedText> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        _names = [.. names.Select(name => name.EncodedUtf8Bytes.ToArray())];
        foreach (var name in _names)
        {
            _lengths |= name.Length < 64 ? 1UL << name.Length : 0;
        }
    }

    /// <summary>The index of the property name the reader is on, or -1.</summary>
    public int IndexOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return IndexOfUnescaped(ref reader);
        }

        var name = reader.ValueSpan;
        if (name.Length < 64 && (_lengths & (1UL << name.Length)) == 0)
        {
            return -1;
        }

        for (var i = 0; i < _names.Length; i++)
        {
            if (name.SequenceEqual(_names[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private int IndexOfUnescaped(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            if (reader.ValueTextEquals(_names[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
