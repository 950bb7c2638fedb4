-- 0069: a source's versions by their content, so that a hashed file finds a version of the same content whatever
-- DedupeKey made that version's key: a source switched from ContentHashAndPath to ContentHash must not send and bill
-- again content it processed under the old key (docs/sources.md, "Dedupe key").
create index if not exists file_version_by_content on orchestrator.file_version (source_name, sha256);
