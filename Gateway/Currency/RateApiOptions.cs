namespace Gateway.Currency;

/// <summary>An exchange-rate API in the shape of <c>open.er-api.com</c>: <c>GET {BaseUrl}v6/latest/{base}</c>. Section <c>Currency:RateApi</c>.</summary>
public sealed class RateApiOptions
{
    public Uri? BaseUrl { get; set; } = new("https://open.er-api.com/");

    /// <summary>The whole call, connect to last byte. Also the longest a cold gateway's first request waits for a rate.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);
}
