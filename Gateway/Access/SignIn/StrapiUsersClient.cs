using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Gateway.Strapi;
using Microsoft.Extensions.Options;

namespace Gateway.Access;

/// <summary>
/// Strapi's users-permissions plugin, as the gateway asks it: are these credentials right (<c>/api/auth/local</c>),
/// and who is user N with which role (<c>/api/users/N?populate=role</c>, with the gateway's API token, because a
/// user's own JWT may not read its role). A failure to reach Strapi is an <see cref="HttpRequestException"/>, and
/// too slow a <see cref="TaskCanceledException"/> (the client's timeout).
/// </summary>
internal sealed class StrapiUsersClient(HttpClient http, IOptionsMonitor<StrapiOptions> strapi)
{
    /// <summary>The user's id when the credentials are right; null when Strapi refuses them.</summary>
    public async Task<int?> CheckCredentialsAsync(string identifier, string password, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(new Uri("api/auth/local", UriKind.Relative),
            new StrapiCredentials(identifier, password), AccessJsonContext.Default.StrapiCredentials, cancellationToken);
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync(AccessJsonContext.Default.StrapiSignIn, cancellationToken);
        return answer?.User?.Id;
    }

    /// <summary>
    /// The id of the user whose email or username is <paramref name="identifier"/> (case-insensitive, as Strapi's
    /// sign-in matches), with the gateway's token; null when there is none.
    /// </summary>
    public async Task<int?> FindUserIdAsync(string identifier, CancellationToken cancellationToken)
    {
        var value = Uri.EscapeDataString(identifier);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(
            $"api/users?filters[$or][0][email][$eqi]={value}&filters[$or][1][username][$eqi]={value}&fields[0]=id&pagination[pageSize]=1", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", strapi.CurrentValue.Token);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var users = await response.Content.ReadFromJsonAsync(AccessJsonContext.Default.StrapiUserArray, cancellationToken)
            ?? throw new System.Text.Json.JsonException("Strapi's user list was null.");
        return users.Length > 0 ? users[0].Id : null;
    }

    /// <summary>The user with its role; null when Strapi has no such user.</summary>
    public async Task<StrapiUser?> GetUserAsync(int id, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get,
            new Uri(FormattableString.Invariant($"api/users/{id}?populate=role"), UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", strapi.CurrentValue.Token);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(AccessJsonContext.Default.StrapiUser, cancellationToken);
    }
}
