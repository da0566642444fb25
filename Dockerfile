# syntax=docker/dockerfile:1
# The gateway's production image: built from source in the SDK image, run in the ASP.NET Core runtime image (no SDK,
# no compiler), as the image's non-root user, with the country database, yarp.json and redirects.json inside.
#   docker build -t edge-gateway .        (or: docker compose build)
# A multi-stage Dockerfile rather than the SDK's container publishing (dotnet publish -t:PublishContainer): the
# country database comes from npm in a stage of its own, Compose builds it with `build:`, and the HEALTHCHECK
# below lives in the image, none of which the SDK's container target does.

# 1. The free country database (CC0, NRO data), pinned by geo/package-lock.json, as scripts/geo-install does.
FROM node:24-bookworm-slim AS geo
WORKDIR /geo
COPY geo/package.json geo/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
 && cp node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb /geo/country.mmdb

# 2. The gateway, restored first (a layer that changes only with the package versions), then published.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY Gateway/Gateway.csproj Gateway/
RUN dotnet restore Gateway/Gateway.csproj
COPY yarp.json ./
COPY Gateway/ Gateway/
RUN dotnet publish Gateway/Gateway.csproj -c Release -o /out --no-restore -p:UseAppHost=false

# 3. Runtime only.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /out ./
COPY redirects.json ./
COPY --from=geo /geo/country.mmdb ./geo/country.mmdb
# Listen on every interface of the container (the load balancer reaches it over the Compose network); the file
# paths are the image's own. Everything else comes from the environment (see docker-compose.yml, .env.example).
ENV Urls=http://+:8080 \
    Gateway__YarpFile=/app/yarp.json \
    Redirects__SeedFile=/app/redirects.json \
    Geo__DatabasePath=/app/geo/country.mmdb
EXPOSE 8080
# The image's unprivileged user (uid 1654), which the .NET images define as APP_UID.
USER $APP_UID
# No curl in the runtime image: bash's /dev/tcp asks /healthz and checks the status line.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "Gateway.dll"]
