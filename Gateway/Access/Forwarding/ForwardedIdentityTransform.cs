using System.Text;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Access;

/// <summary>
/// Who the caller is, for the frontend: <c>X-Forwarded-User</c> (name), <c>X-Forwarded-Email</c> and
/// <c>X-Forwarded-Roles</c> (comma-separated), as oauth2-proxy and Pomerium send them. A client's own copies of these
/// headers are removed on every route, signed in or not, so the frontend can believe them; they are added only on
/// routes to the frontend, for a signed-in caller. A value with characters outside printable ASCII (or a <c>%</c>) is
/// sent percent-encoded as UTF-8, since a header carries ASCII only.
/// </summary>
internal sealed class ForwardedIdentityTransform(bool addIdentity) : RequestTransform
{
    public const string UserHeader = "X-Forwarded-User";
    public const string EmailHeader = "X-Forwarded-Email";
    public const string RolesHeader = "X-Forwarded-Roles";

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        var headers = context.ProxyRequest.Headers;
        headers.Remove(UserHeader);
        headers.Remove(EmailHeader);
        headers.Remove(RolesHeader);
        var user = context.HttpContext.User;
        if (!addIdentity || user.Identity?.IsAuthenticated != true)
        {
            return ValueTask.CompletedTask;
        }

        Add(headers, UserHeader, user.FindFirst(AccessClaims.Name)?.Value ?? user.FindFirst(AccessClaims.Subject)?.Value);
        Add(headers, EmailHeader, user.FindFirst(AccessClaims.Email)?.Value);
        Add(headers, RolesHeader, string.Join(',', user.FindAll(AccessClaims.Role).Select(role => role.Value)));
        return ValueTask.CompletedTask;
    }

    private static void Add(System.Net.Http.Headers.HttpRequestHeaders headers, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            headers.TryAddWithoutValidation(name, HeaderSafe(value));
        }
    }

    /// <summary>The value as it is when it is printable ASCII without <c>%</c>; else percent-encoded UTF-8.</summary>
    internal static string HeaderSafe(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~' or '%')
            {
                return Uri.EscapeDataString(value);
            }
        }

        return value;
    }
}
