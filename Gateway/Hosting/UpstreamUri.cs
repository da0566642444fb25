namespace Gateway.Hosting;

internal static class UpstreamUri
{
    public static bool IsHttp(Uri? uri)
        => uri is { IsAbsoluteUri: true } && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
