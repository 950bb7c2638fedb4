-- 0066: a RemoteOnly batch records the digest of its directory's listing when it was planned (Core's
-- RemoteListing), so that a run finding the directory as the latest batch completed it plans none: each batch over
-- the directory bills every file in it again (docs/sources.md, "Remote layouts"). Null for every other layout and
-- for RemoteOnly batches planned before now, which therefore match no listing: the next run parses once more.
alter table orchestrator.batch add column if not exists remote_listing text;
