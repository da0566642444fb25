using System.Security.Claims;
using Gateway.Access;

namespace Gateway.Tests.Access;

/// <summary>What the gateway keeps of a provider's token: subject, name, email, roles from the configured claim, the source.</summary>
public sealed class OidcPrincipalTests
{
    [Fact]
    public void RolesFromTheConfiguredClaim_OneRoleClaimEach_DuplicatesAndBlanksDropped()
    {
        var principal = OidcPrincipal.From(Token(("sub", "u1"), ("groups", "editor"), ("groups", "reader"), ("groups", "editor"), ("groups", " "), ("roles", "admin")), "groups", "oidc");

        Assert.NotNull(principal);
        Assert.Equal(["editor", "reader"], principal.FindAll(AccessClaims.Role).Select(c => c.Value));
        Assert.True(principal.IsInRole("editor"));
        Assert.False(principal.IsInRole("admin"));
    }

    [Fact]
    public void KeepsSubjectNameEmailSource_DropsEverythingElse()
    {
        var principal = OidcPrincipal.From(Token(("sub", "u1"), ("name", "Ann"), ("email", "ann@example.test"), ("roles", "reader"),
            ("nonce", "n"), ("at_hash", "h"), ("sid", "s"), ("iss", "https://idp")), "roles", "oidc")!;

        (string, string)[] kept = [("email", "ann@example.test"), ("name", "Ann"), ("role", "reader"), ("source", "oidc"), ("sub", "u1")];
        Assert.Equal(kept, principal.Claims.Select(c => (c.Type, c.Value)).Order());
        Assert.Equal("Ann", principal.Identity!.Name);
        Assert.Equal("oidc", principal.Identity.AuthenticationType);
    }

    [Fact]
    public void ClientTokenWithoutSub_TheClientIsTheSubject()
    {
        var principal = OidcPrincipal.From(Token(("client_id", "reporting-job"), ("roles", "reader")), "roles", "oidc-jwt");

        Assert.Equal("reporting-job", principal?.FindFirst(AccessClaims.Subject)?.Value);
    }

    [Fact]
    public void NoSubjectAtAll_Null() => Assert.Null(OidcPrincipal.From(Token(("roles", "reader")), "roles", "oidc-jwt"));

    private static ClaimsPrincipal Token(params (string Type, string Value)[] claims)
        => new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "token"));
}
