using System.Net;

namespace Gateway.Redirects;

/// <summary>
/// Who changed the table, for its log: a signed-in user's email (else name; <c>admin-key</c> for the admin key) and the
/// client's address, or <see cref="Cli"/>.
/// </summary>
internal sealed record RedirectAuthor(string Name, IPAddress? Client)
{
    public static readonly RedirectAuthor Cli = new("cli", null);

    /// <summary>Where the change came from: the client's address, or the command line.</summary>
    public string Origin => Client?.ToString() ?? "the command line";
}
