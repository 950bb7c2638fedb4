# syntax=docker/dockerfile:1
# Multi-stage build of the Worker. Restore is its own layer so code edits do not re-download packages.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props appsettings.json ./
COPY src/Core/Core.csproj src/Core/
COPY src/Persistence/Persistence.csproj src/Persistence/
COPY src/Sandbox/Sandbox.csproj src/Sandbox/
COPY src/Worker/Worker.csproj src/Worker/
RUN dotnet restore src/Worker/Worker.csproj
COPY src/ src/
RUN dotnet publish src/Worker/Worker.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# In a container the database is external (Database__ConnectionString) and the dashboard listens on all interfaces.
ENV Urls=http://+:8080 \
    DOTNET_gcServer=0
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "BatchOrchestrator.Worker.dll"]
