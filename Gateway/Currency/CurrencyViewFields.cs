namespace Gateway.Currency;

/// <summary>The fields of a currency view, in the order they are written and asked of Strapi.</summary>
internal static class CurrencyViewFields
{
    public const string Amount = "amount";
    public const string Customer = "customer";

    public static readonly string[] Invoice = ["date", Amount, "invoice_status"];

    public static readonly string[] CustomerFields = ["name", "email", "image_url"];
}
