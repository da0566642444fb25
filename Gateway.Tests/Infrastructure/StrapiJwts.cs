using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests.Infrastructure;

/// <summary>Tokens as Strapi's users-permissions plugin makes them: HS256 over {id, iat, exp}, nothing else.</summary>
public static class StrapiJwts
{
    public static string Create(int id, DateTime? expires = null, string secret = GatewayHost.StrapiJwtSecret)
    {
        var exp = expires ?? DateTime.UtcNow.AddHours(1);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            JsonSerializer.Serialize(new { id, iat = new DateTimeOffset(exp.AddHours(-2)).ToUnixTimeSeconds(), exp = new DateTimeOffset(exp).ToUnixTimeSeconds() }),
            new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256));
    }
}
