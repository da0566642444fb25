using System.Text.Json;

namespace Gateway.Csv;

/// <summary>
/// One column of an export: its header, which is also the dotted path to its value in a Strapi item
/// (<c>amount</c>, <c>customer.name</c>).
/// </summary>
internal sealed class CsvColumn
{
    public const char PathSeparator = '.';

    private readonly string[] _path;

    public CsvColumn(string header)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(header);

        Header = header;
        _path = header.Split(PathSeparator);
    }

    public string Header { get; }

    /// <summary>The relation this column reads through (<c>customer</c>), or <c>null</c> for a field of the item itself.</summary>
    public string? Relation => _path.Length > 1 ? _path[0] : null;

    /// <summary>The steps of the path: <c>[customer, name]</c> for <c>customer.name</c>.</summary>
    public ReadOnlySpan<string> Path => _path;

    /// <summary>The field's name at the end of the path.</summary>
    public string Field => _path[^1];

    /// <summary>The value at the path; <c>false</c> when a step is missing or is not an object (a <c>null</c> customer).</summary>
    public bool TryGetValue(JsonElement item, out JsonElement value)
    {
        value = item;
        foreach (var step in _path)
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(step, out value))
            {
                value = default;
                return false;
            }
        }

        return true;
    }
}
