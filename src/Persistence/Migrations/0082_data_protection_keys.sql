-- 0082: the keys ASP.NET Core's data protection signs the dashboard's antiforgery tokens with. They lived in the home
-- folder of the user the service runs as (~/.aspnet), or in memory where there is none: a container made new keys at
-- each start, so a dashboard page opened before a restart could no longer act, and instances on one database each
-- had their own. Kept here they survive restarts and are shared by every instance (docs/operations.md, "Dashboard keys").
create table if not exists orchestrator.data_protection_key (
    friendly_name text primary key,
    xml text not null,
    stored_at timestamptz not null default now()
);
