-- 0085: the held-files gauges (files held per source, and per cap for the cap alert) are read at every metrics refresh,
-- and with no index for "state = 'Held'" each reading walked every file version: about 0.3 s apiece at a million
-- versions, most of a refresh (docs/performance.md, "The gauges at scale"). Few versions are ever held, so a partial
-- index of them is small, and it costs a write only to a version entering or leaving Held (since 0084 no update of a
-- version is HOT, so its predicate's column no longer costs the other updates anything).
create index if not exists file_version_held_by_source on orchestrator.file_version (source_name, held_cap) where state = 'Held';
