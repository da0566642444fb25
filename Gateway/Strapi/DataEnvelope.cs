using System.Text.Json;

namespace Gateway.Strapi;

/// <summary>
/// Strapi's REST API takes a create or update body as <c>{"data":{…}}</c>; the dashboard sends the fields alone.
/// This wraps a JSON body unless it already is a <c>data</c> envelope. A body that is not JSON is left as it is,
/// so Strapi answers it with its own 400 envelope.
/// </summary>
internal static class DataEnvelope
{
    private static ReadOnlySpan<byte> Prefix => "{\"data\":"u8;
    private static ReadOnlySpan<byte> Suffix => "}"u8;

    /// <summary>The body to send to Strapi: <paramref name="body"/> itself, or it wrapped in <c>{"data":…}</c>.</summary>
    public static byte[] Apply(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);

        if (Classify(body) != Kind.Bare)
        {
            return body;
        }

        var wrapped = new byte[Prefix.Length + body.Length + Suffix.Length];
        Prefix.CopyTo(wrapped);
        body.CopyTo(wrapped.AsSpan(Prefix.Length));
        Suffix.CopyTo(wrapped.AsSpan(Prefix.Length + body.Length));
        return wrapped;
    }

    internal enum Kind
    {
        /// <summary>Empty, or not one well-formed JSON value.</summary>
        NotJson,

        /// <summary>An object with a <c>data</c> property whose value is an object.</summary>
        Wrapped,

        /// <summary>Any other JSON value: the fields themselves.</summary>
        Bare,
    }

    internal static Kind Classify(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read())
            {
                return Kind.NotJson;
            }

            var wrapped = false;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isData = reader.ValueTextEquals("data"u8);
                    reader.Read();
                    wrapped |= isData && reader.TokenType == JsonTokenType.StartObject;
                    reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }

            // Reading past the single top-level value throws on trailing garbage and returns false at the end.
            return reader.Read() ? Kind.NotJson : wrapped ? Kind.Wrapped : Kind.Bare;
        }
        catch (JsonException)
        {
            return Kind.NotJson;
        }
    }
}
