using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Redirects;

/// <summary>
/// What the admin API's changes leave in the operator's log (the gateway's own levels): one readable line each, the
/// entry before and after as its JSON, an import's who, mode, counts and deleted keys.
/// </summary>
public sealed class RedirectAuditLogTests : RedirectTestBed
{
    private const string Csv = "text/csv";
    private const string ByKey = "changed by admin-key from 127.0.0.1: ";

    [Fact]
    public async Task ApiEdits_EachLoggedWithTheEntryAsJson_BeforeAndAfter()
    {
        var gateway = NewGateway(AdminKey);
        var client = await StartGatewayAsync(gateway: gateway);

        using var add = await PutAsync(client, "%2Flog-a", """{"destination":"/b","permanent":false}""", AdminKey);
        using var change = await PutAsync(client, "%2Flog-a", """{"destination":"/c","permanent":true,"preserveQuery":false}""", AdminKey);
        using var remove = await SendAsync(client, HttpMethod.Delete, "/api/redirects/%2Flog-a", null, AdminKey);
        using var removeAgain = await SendAsync(client, HttpMethod.Delete, "/api/redirects/%2Flog-a", null, AdminKey);

        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.NotFound],
            [add.StatusCode, change.StatusCode, remove.StatusCode, removeAgain.StatusCode]);
        var lines = Logged(gateway, "Redirect /log-a ");
        Assert.Equal(
            [
                "Redirect /log-a " + ByKey + """(none) -> {"destination":"/b","permanent":false}""",
                "Redirect /log-a " + ByKey + """{"destination":"/b","permanent":false} -> {"destination":"/c","permanent":true,"preserveQuery":false}""",
                "Redirect /log-a " + ByKey + """{"destination":"/c","permanent":true,"preserveQuery":false} -> (deleted)""",
            ],
            lines);
    }

    [Fact]
    public async Task ApiImports_LoggedWithWhoModeCountsAndTheDeletedKeys_ListCapped()
    {
        for (var i = 0; i < 25; i++)
        {
            await SetRawAsync($"/stale-{i:00}", """{"destination":"/x","permanent":false}""");
        }

        var gateway = NewGateway(AdminKey);
        var client = await StartGatewayAsync(gateway: gateway);

        using var merge = await ImportAsync(client, "source,target,status\n/merged,/x,301\n", Csv);
        using var refused = await ImportAsync(client, "source,target,status\n/bad,/x,299\n", Csv, replace: true);
        using var replace = await ImportAsync(client, "source,target,status\n/kept,/x,301\n", Csv, replace: true);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.OK], [merge.StatusCode, refused.StatusCode, replace.StatusCode]);
        var stale = string.Join(", ", Enumerable.Range(0, 19).Select(i => $"/stale-{i:00}"));
        Assert.Equal(
            [
                "Redirect table imported by admin-key from 127.0.0.1 (merge): 1 written, 0 deleted: none",
                "Redirect table import by admin-key from 127.0.0.1 (replace) refused: 1 problems, nothing written",
                $"Redirect table imported by admin-key from 127.0.0.1 (replace): 1 written, 26 deleted: /merged, {stale} and 6 more",
            ],
            Logged(gateway, "Redirect table import"));
    }

    /// <summary>The messages of the operator's log lines that start with <paramref name="start"/>, in order.</summary>
    private static List<string> Logged(GatewayHost gateway, string start)
        => gateway.ConfiguredLogs.Lines
            .Select(line => line[(line.IndexOf("] ", StringComparison.Ordinal) + 2)..].TrimEnd())
            .Where(message => message.StartsWith(start, StringComparison.Ordinal))
            .ToList();
}
