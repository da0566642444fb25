using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Deployment;

/// <summary>
/// Whether a configuration key (<c>Strapi:BaseUrl</c>, or as an environment variable <c>Strapi__BaseUrl</c>) is one the
/// gateway reads: a property of one of its options classes (a public type with a <c>SectionName</c> constant, walked by
/// reflection: nested classes, dictionaries and lists included), a key of appsettings.json or yarp.json, or one of the
/// host's own settings. So a typo, or a setting renamed in code but not in a deployment file, is caught.
/// </summary>
internal static class GatewaySettings
{
    /// <summary>Settings ASP.NET Core's host reads itself, and those the gateway reads before its options exist.</summary>
    private static readonly string[] HostKeys = ["Urls", "AllowedHosts", "Kestrel", "Logging", "ASPNETCORE_", "DOTNET_", "HTTP_PORTS", "HTTPS_PORTS", "ReverseProxy", Gateway.Hosting.YarpJsonExtensions.PathKey];

    private static readonly Lazy<HashSet<string>> FileKeys = new(() =>
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in new[] { "Gateway/appsettings.json", "yarp.json" })
        {
            Flatten(JsonNode.Parse(File.ReadAllText(RepositoryPaths.File(file)), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true }), "", keys);
        }

        return keys;
    });

    public static string FromEnvironmentName(string name) => name.Replace("__", ":", StringComparison.Ordinal);

    public static bool IsKnown(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (HostKeys.Any(host => key.Equals(host, StringComparison.OrdinalIgnoreCase)
            || key.StartsWith(host + (host.EndsWith('_') ? "" : ":"), StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        if (FileKeys.Value.Contains(key))
        {
            return true;
        }

        var parts = key.Split(':');
        var section = OptionsTypes().FirstOrDefault(t => string.Equals(SectionOf(t), parts[0], StringComparison.OrdinalIgnoreCase));
        return section is not null && IsProperty(section, parts.AsSpan(1));
    }

    private static IEnumerable<Type> OptionsTypes() =>
        typeof(Program).Assembly.GetTypes().Where(t => t.IsPublic && SectionOf(t) is not null);

    private static string? SectionOf(Type type) =>
        type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field ? field.GetRawConstantValue() as string : null;

    private static bool IsProperty(Type type, ReadOnlySpan<string> path)
    {
        if (path.IsEmpty)
        {
            return true;
        }

        if (type.IsArray || (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type)))
        {
            // A dictionary takes any key; a list an index.
            var isDictionary = type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
            var element = type.IsArray ? type.GetElementType()! : type.GetGenericArguments().Last();
            return (isDictionary || int.TryParse(path[0], out _)) && IsProperty(element, path[1..]);
        }

        var name = path[0];
        var property = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is { CanWrite: true } || (property is not null && !IsSimple(property.PropertyType))
            ? IsProperty(property!.PropertyType, path[1..])
            : false;
    }

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(Uri) || type == typeof(decimal);
    }

    private static void Flatten(JsonNode? node, string prefix, HashSet<string> keys)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var (name, child) in map)
                {
                    var key = prefix.Length == 0 ? name : $"{prefix}:{name}";
                    keys.Add(key);
                    Flatten(child, key, keys);
                }

                break;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    var key = $"{prefix}:{i}";
                    keys.Add(key);
                    Flatten(list[i], key, keys);
                }

                break;
        }
    }
}
