using System.Text.Json.Serialization;

namespace Gateway.Access;

/// <summary>What the gateway reads of a Strapi users-permissions user.</summary>
internal sealed record StrapiUser(int Id, string? Username, string? Email, bool Blocked, StrapiRole? Role);

/// <summary>A users-permissions role; <see cref="Type"/> (<c>editor</c>) is the gateway's role name.</summary>
internal sealed record StrapiRole(string? Type, string? Name);

/// <summary>The answer of <c>POST /api/auth/local</c>: the Strapi JWT (used once, never kept) and the user.</summary>
internal sealed record StrapiSignIn(string? Jwt, StrapiUser? User);

internal sealed record StrapiCredentials(string Identifier, string Password);

/// <summary>The body of <c>POST /auth/login</c>.</summary>
internal sealed record SignInRequest(string? Identifier, string? Password);

/// <summary>The answer of <c>GET /auth/me</c>.</summary>
internal sealed record SignedInUser(string? Name, string? Email, IReadOnlyList<string> Roles, string? Source);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StrapiSignIn))]
[JsonSerializable(typeof(StrapiUser))]
[JsonSerializable(typeof(StrapiUser[]))]
[JsonSerializable(typeof(StrapiCredentials))]
[JsonSerializable(typeof(SignInRequest))]
[JsonSerializable(typeof(SignedInUser))]
internal sealed partial class AccessJsonContext : JsonSerializerContext;
