using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gateway.Currency;

/// <summary>
/// Rewrites Strapi's list envelope into a currency view in one pass of <see cref="Utf8JsonReader"/>, no object graph: each
/// item becomes <c>{"date","amount","invoice_status","customer"}</c> with the amount converted, and <c>meta</c> becomes
/// Strapi's <c>pagination</c> plus <c>currency</c>. The output is assembled from bytes: constant fragments (the property
/// names), Strapi's values copied verbatim as raw slices of its body, the converted amount formatted in place, and the
/// <c>currency</c> block, written once per quote (<see cref="CurrencyBlock"/>). No <see cref="Utf8JsonWriter"/> per page.
/// </summary>
internal static class CurrencyViewWriter
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

    /// <summary>The invoice fields, then <c>customer</c> at <see cref="CustomerIndex"/>.</summary>
    private static readonly PropertyNameSet InvoiceNames = new([.. InvoiceFields, Customer]);
    private static readonly int CustomerIndex = InvoiceFields.Length;
    private static readonly PropertyNameSet CustomerNames = new(CustomerFields);

    private static readonly byte[] DataOpen = Fragment("", Data, "[");
    private static readonly byte[] DataOpenAgain = Fragment(",", Data, "[");
    private static readonly byte[] MetaOpen = Fragment(",", Meta, "{");
    private static readonly byte[] PaginationName = Fragment("", Pagination, "");
    private static readonly byte[] CurrencyName = Fragment("", Currency, "");
    private static readonly byte[] CustomerName = Fragment(",", Customer, "");
    private static readonly byte[][] InvoicePrefixes = Prefixes(InvoiceFields);
    private static readonly byte[][] CustomerPrefixes = Prefixes(CustomerFields);
    private static readonly int InvoiceFixedBytes = InvoicePrefixes.Sum(prefix => prefix.Length) + CustomerName.Length + 2;
    private static readonly int CustomerFixedBytes = CustomerPrefixes.Sum(prefix => prefix.Length) + 1;

    /// <summary>The longest a converted amount can be written: <see cref="long.MinValue"/>, 20 bytes.</summary>
    private const int MaxLongBytes = 20;

    private static ReadOnlySpan<byte> NullValue => "null"u8;

    /// <summary>The last quote's <c>currency</c> block; replaced when the quote changes (a refresh), never per page.</summary>
    private static CurrencyBlock? s_currency;

    internal static string SourceName(RateSource source) => SourceNames[(int)source].Value;

    /// <summary>Writes the view of <paramref name="strapi"/> to <paramref name="output"/>.</summary>
    /// <exception cref="JsonException">The body is not Strapi's list envelope.</exception>
    public static void Write(ReadOnlySpan<byte> strapi, IBufferWriter<byte> output, CurrencyQuote quote)
    {
        ArgumentNullException.ThrowIfNull(output);

        var reader = new Utf8JsonReader(strapi);
        Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, "an object");

        output.Write("{"u8);
        var rate = new CurrencyConverter(quote.Rate);
        var pagination = Range.StartAt(0);
        var hasPagination = false;
        var hasData = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(Data.EncodedUtf8Bytes))
            {
                reader.Read();
                Expect(reader.TokenType == JsonTokenType.StartArray, "a data array");
                output.Write(hasData ? DataOpenAgain : DataOpen);
                var first = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    WriteInvoice(ref reader, strapi, output, rate, first);
                    first = false;
                }

                output.Write("]"u8);
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
        output.Write(MetaOpen);
        if (hasPagination)
        {
            output.Write(PaginationName);
            output.Write(strapi[pagination]);
            output.Write(","u8);
        }

        output.Write(CurrencyName);
        output.Write(CurrencyJson(quote));
        output.Write("}}"u8);
    }

    private static void WriteInvoice(ref Utf8JsonReader reader, ReadOnlySpan<byte> strapi, IBufferWriter<byte> output, in CurrencyConverter rate, bool first)
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
            var field = InvoiceNames.IndexOf(ref reader);
            var isCustomer = field == CustomerIndex;
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
            else if (field >= 0 && !isCustomer)
            {
                values[field] = Slice(ref reader);
                found[field] = true;
            }
            else if (isCustomer && reader.TokenType == JsonTokenType.StartObject)
            {
                ReadFields(ref reader, CustomerNames, customerValues, customerFound);
                hasCustomer = true;
            }
            else
            {
                reader.Skip();
            }
        }

        // Converted before anything of this invoice is written, as a problem rather than a partial view is the answer to it.
        long? converted = cents is { } amount ? rate.Convert(amount) : null;

        var size = InvoiceFixedBytes + MaxLongBytes + RawBytes(values, found) + (hasCustomer ? CustomerFixedBytes + RawBytes(customerValues, customerFound) : NullValue.Length);
        var span = output.GetSpan(size);
        var at = 0;
        if (!first)
        {
            span[at++] = (byte)',';
        }

        for (var i = 0; i < InvoiceFields.Length; i++)
        {
            at += Put(span, at, InvoicePrefixes[i]);
            if (i == AmountIndex)
            {
                if (converted is { } value)
                {
                    value.TryFormat(span[at..], out var digits, default, CultureInfo.InvariantCulture);
                    at += digits;
                }
                else
                {
                    at += Put(span, at, NullValue);
                }
            }
            else
            {
                at += Put(span, at, found[i] ? strapi[values[i]] : NullValue);
            }
        }

        at += Put(span, at, CustomerName);
        if (hasCustomer)
        {
            for (var i = 0; i < CustomerFields.Length; i++)
            {
                at += Put(span, at, CustomerPrefixes[i]);
                at += Put(span, at, customerFound[i] ? strapi[customerValues[i]] : NullValue);
            }

            span[at++] = (byte)'}';
        }
        else
        {
            at += Put(span, at, NullValue);
        }

        span[at++] = (byte)'}';
        output.Advance(at);
    }

    /// <summary>From the object the reader is on, the raw values of <paramref name="names"/>; leaves the reader on its end.</summary>
    private static void ReadFields(ref Utf8JsonReader reader, PropertyNameSet names, scoped Span<Range> values, scoped Span<bool> found)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = names.IndexOf(ref reader);
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

    /// <summary>The raw JSON of the value the reader is on; leaves the reader on its last token.</summary>
    private static Range Slice(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return start..(int)reader.BytesConsumed;
    }

    /// <summary>The bytes of the values found, each <c>null</c> when missing, so one buffer request holds a whole invoice.</summary>
    private static int RawBytes(scoped ReadOnlySpan<Range> values, scoped ReadOnlySpan<bool> found)
    {
        var bytes = 0;
        for (var i = 0; i < values.Length; i++)
        {
            bytes += found[i] ? values[i].End.Value - values[i].Start.Value : NullValue.Length;
        }

        return bytes;
    }

    private static int Put(Span<byte> span, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[at..]);
        return bytes.Length;
    }

    /// <summary><c>{prefix}"name":{suffix}</c>, the name escaped as <see cref="Utf8JsonWriter"/> writes it.</summary>
    private static byte[] Fragment(string prefix, JsonEncodedText name, string suffix)
        => [.. Encoding.UTF8.GetBytes(prefix), (byte)'"', .. name.EncodedUtf8Bytes, (byte)'"', (byte)':', .. Encoding.UTF8.GetBytes(suffix)];

    /// <summary>Each field's name as it is written: <c>{"first":</c>, then <c>,"next":</c>.</summary>
    private static byte[][] Prefixes(JsonEncodedText[] names)
        => [.. names.Select((name, i) => Fragment(i == 0 ? "{" : ",", name, ""))];

    /// <summary>The <c>currency</c> object of <paramref name="quote"/>, built by <see cref="Utf8JsonWriter"/> when the quote changes.</summary>
    private static ReadOnlySpan<byte> CurrencyJson(CurrencyQuote quote)
    {
        if (s_currency is { } cached && cached.Matches(quote))
        {
            return cached.Json;
        }

        var json = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
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
        }

        var block = new CurrencyBlock(quote, json.WrittenSpan.ToArray());
        s_currency = block;
        return block.Json;
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new JsonException($"Strapi's list envelope was expected, with {what}.");
        }
    }
}
