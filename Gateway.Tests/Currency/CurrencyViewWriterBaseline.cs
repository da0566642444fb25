using System.Buffers;
using System.Text.Json;
using Gateway.Currency;

namespace Gateway.Tests.Currency;

// The writer as it was before the raw-copy rewrite (commit 4766b3d), kept only as the reference the regression test and the
// micro-benchmark compare the shipped writer against. Not shipped.

/// <summary>
/// Rewrites Strapi's list envelope into a currency view, token by token (<see cref="Utf8JsonReader"/> in,
/// <see cref="Utf8JsonWriter"/> out, no object graph): each item becomes <c>{"date","amount","invoice_status","customer"}</c>
/// with the amount converted, and <c>meta</c> becomes Strapi's <c>pagination</c> plus <c>currency</c>.
/// Values are copied as raw JSON slices of Strapi's body.
/// </summary>
internal static class CurrencyViewWriterBaseline
{
    private static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");
    private static readonly JsonEncodedText Meta = JsonEncodedText.Encode("meta");
    private static readonly JsonEncodedText Pagination = JsonEncodedText.Encode("pagination");
    private static readonly JsonEncodedText Currency = JsonEncodedText.Encode("currency");
    private static readonly JsonEncodedText Code = JsonEncodedText.Encode("code");
    private static readonly JsonEncodedText Rate = JsonEncodedText.Encode("rate");
    private static readonly JsonEncodedText Source = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText AsOf = JsonEncodedText.Encode("asOf");
    private static readonly JsonEncodedText Customer = JsonEncodedText.Encode(CurrencyViewFields.Customer);
    private static readonly JsonEncodedText[] InvoiceFields = [.. CurrencyViewFields.Invoice.Select(name => JsonEncodedText.Encode(name))];
    private static readonly JsonEncodedText[] CustomerFields = [.. CurrencyViewFields.CustomerFields.Select(name => JsonEncodedText.Encode(name))];
    private static readonly JsonEncodedText[] SourceNames =
    [
        JsonEncodedText.Encode("live"), JsonEncodedText.Encode("cached"), JsonEncodedText.Encode("stale"), JsonEncodedText.Encode("fallback"),
    ];

    private static readonly int AmountIndex = Array.IndexOf(CurrencyViewFields.Invoice, CurrencyViewFields.Amount);

    internal static string SourceName(RateSource source) => SourceNames[(int)source].Value;

    /// <summary>Writes the view of <paramref name="strapi"/> to <paramref name="output"/>.</summary>
    /// <exception cref="JsonException">The body is not Strapi's list envelope.</exception>
    public static void Write(ReadOnlySpan<byte> strapi, IBufferWriter<byte> output, CurrencyQuote quote)
    {
        ArgumentNullException.ThrowIfNull(output);

        var reader = new Utf8JsonReader(strapi);
        Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, "an object");

        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartObject();
        var pagination = Range.StartAt(0);
        var hasPagination = false;
        var hasData = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(Data.EncodedUtf8Bytes))
            {
                reader.Read();
                Expect(reader.TokenType == JsonTokenType.StartArray, "a data array");
                writer.WriteStartArray(Data);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    WriteInvoice(ref reader, strapi, writer, quote.Rate);
                }

                writer.WriteEndArray();
                hasData = true;
            }
            else if (reader.ValueTextEquals(Meta.EncodedUtf8Bytes))
            {
                reader.Read();
                hasPagination = FindPagination(ref reader, out pagination);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        Expect(hasData, "a data array");
        writer.WriteStartObject(Meta);
        if (hasPagination)
        {
            writer.WritePropertyName(Pagination);
            writer.WriteRawValue(strapi[pagination], skipInputValidation: true);
        }

        writer.WriteStartObject(Currency);
        writer.WriteString(Code, quote.Code);
        writer.WriteNumber(Rate, quote.Rate);
        writer.WriteString(Source, SourceNames[(int)quote.Source]);
        if (quote.AsOf is { } asOf)
        {
            writer.WriteString(AsOf, asOf.UtcDateTime);
        }
        else
        {
            writer.WriteNull(AsOf);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
    }

    private static void WriteInvoice(ref Utf8JsonReader reader, ReadOnlySpan<byte> strapi, Utf8JsonWriter writer, decimal rate)
    {
        Expect(reader.TokenType == JsonTokenType.StartObject, "invoice objects");
        Span<Range> values = stackalloc Range[InvoiceFields.Length];
        Span<bool> found = stackalloc bool[InvoiceFields.Length];
        Span<Range> customerValues = stackalloc Range[CustomerFields.Length];
        Span<bool> customerFound = stackalloc bool[CustomerFields.Length];
        var hasCustomer = false;
        long? cents = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = IndexOf(ref reader, InvoiceFields);
            var isCustomer = field < 0 && reader.ValueTextEquals(Customer.EncodedUtf8Bytes);
            reader.Read();
            if (field == AmountIndex)
            {
                Expect(reader.TokenType is JsonTokenType.Number or JsonTokenType.Null, "a numeric amount");
                if (reader.TokenType == JsonTokenType.Number)
                {
                    Expect(reader.TryGetInt64(out var value), "an amount in integer cents");
                    cents = value;
                }
            }
            else if (field >= 0)
            {
                values[field] = Slice(ref reader);
                found[field] = true;
            }
            else if (isCustomer && reader.TokenType == JsonTokenType.StartObject)
            {
                ReadFields(ref reader, CustomerFields, customerValues, customerFound);
                hasCustomer = true;
            }
            else
            {
                reader.Skip();
            }
        }

        writer.WriteStartObject();
        for (var i = 0; i < InvoiceFields.Length; i++)
        {
            if (i == AmountIndex)
            {
                if (cents is { } amount)
                {
                    writer.WriteNumber(InvoiceFields[i], CurrencyMath.Convert(amount, rate));
                }
                else
                {
                    writer.WriteNull(InvoiceFields[i]);
                }
            }
            else
            {
                WriteRawOrNull(writer, InvoiceFields[i], strapi, values[i], found[i]);
            }
        }

        writer.WritePropertyName(Customer);
        if (hasCustomer)
        {
            writer.WriteStartObject();
            for (var i = 0; i < CustomerFields.Length; i++)
            {
                WriteRawOrNull(writer, CustomerFields[i], strapi, customerValues[i], customerFound[i]);
            }

            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WriteEndObject();
    }

    /// <summary>From the object the reader is on, the raw values of <paramref name="names"/>; leaves the reader on its end.</summary>
    private static void ReadFields(ref Utf8JsonReader reader, JsonEncodedText[] names, scoped Span<Range> values, scoped Span<bool> found)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = IndexOf(ref reader, names);
            reader.Read();
            if (field >= 0)
            {
                values[field] = Slice(ref reader);
                found[field] = true;
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static bool FindPagination(ref Utf8JsonReader reader, out Range pagination)
    {
        pagination = Range.StartAt(0);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }

        var found = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isPagination = reader.ValueTextEquals(Pagination.EncodedUtf8Bytes);
            reader.Read();
            if (isPagination)
            {
                pagination = Slice(ref reader);
                found = true;
            }
            else
            {
                reader.Skip();
            }
        }

        return found;
    }

    private static int IndexOf(ref Utf8JsonReader reader, JsonEncodedText[] names)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (reader.ValueTextEquals(names[i].EncodedUtf8Bytes))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The raw JSON of the value the reader is on; leaves the reader on its last token.</summary>
    private static Range Slice(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return start..(int)reader.BytesConsumed;
    }

    private static void WriteRawOrNull(Utf8JsonWriter writer, JsonEncodedText name, ReadOnlySpan<byte> json, Range value, bool found)
    {
        writer.WritePropertyName(name);
        if (found)
        {
            writer.WriteRawValue(json[value], skipInputValidation: true);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new JsonException($"Strapi's list envelope was expected, with {what}.");
        }
    }
}
