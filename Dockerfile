# syntax=docker/dockerfile:1
# Multi-stage build of the Worker (the default target) and of the Sandbox (target "sandbox", for docker compose).
# Restore is its own layer: it depends only on the project files, so code edits do not re-download packages.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig appsettings.json ./
COPY src/Core/Core.csproj src/Core/
COPY src/Persistence/Persistence.csproj src/Persistence/
COPY src/Sandbox/Sandbox.csproj src/Sandbox/
COPY src/Worker/Worker.csproj src/Worker/
RUN dotnet restore src/Worker/Worker.csproj
COPY src/ src/
# The same publish command the deployment test runs (tests/Worker.IntegrationTests/Deployment).
RUN dotnet publish src/Worker/Worker.csproj -c Release -o /app --no-restore \
 && dotnet publish src/Sandbox/Sandbox.csproj -c Release -o /sandbox --no-restore

# The Sandbox: a LlamaCloud-compatible emulator, for trying the compose set-up without an API key.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS sandbox
WORKDIR /sandbox
COPY --from=build /sandbox .
USER $APP_UID
EXPOSE 8090
ENTRYPOINT ["dotnet", "BatchOrchestrator.Sandbox.dll", "--urls", "http://0.0.0.0:8090"]

# The Worker (last stage: what "docker build ." produces).
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS worker
WORKDIR /app
COPY --from=build /app .
# In a container the database is external (Database__ConnectionString): the image has no PostgreSQL
# binaries, and start-up says so naming that key. The dashboard listens on all interfaces; remote
# callers need Dashboard:Users or Dashboard:Tokens (see README).
# The FileSystem sink writes under /data/output (mount a volume there); /app itself is not writable
# by the non-root user. Sources go under /data/inbox (or any mounted folder): appsettings.json's demo
# source, whose Path is relative ("inbox"), is /app/inbox, which that user cannot create, so it is a
# link to /data/inbox (a setting here would override the Path of a configuration's own first source).
RUN mkdir -p /data/inbox /data/output && chown "$APP_UID:$APP_UID" /data/inbox /data/output && ln -s /data/inbox /app/inbox
ENV Urls=http://+:8080 \
    DOTNET_gcServer=0 \
    Logs__Format=Json \
    FollowUp__OutputPath=/data/output
EXPOSE 8080
# The image's non-root user (uid 1654).
USER $APP_UID
# bash's /dev/tcp: no curl or wget in the runtime image, and no second .NET process every 30 s.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "BatchOrchestrator.Worker.dll"]
CMD ["run"]
