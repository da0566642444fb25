using System.Text.Json.Serialization;

namespace Gateway.Currency;

/// <summary>
/// One currency's rate: the API's update time (<see cref="AsOf"/>) and when a gateway fetched it (<see cref="FetchedAt"/>,
/// which freshness is measured from). <see cref="Origin"/> is this process's own note, not stored in Redis.
/// </summary>
internal sealed record RateEntry(decimal Rate, DateTimeOffset AsOf, DateTimeOffset FetchedAt)
{
    [JsonIgnore]
    public RateSource Origin { get; init; } = RateSource.Live;
}
