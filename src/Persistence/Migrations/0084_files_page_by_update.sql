-- 0084: the Files page lists versions most recently changed first. With no index on updated_at, every visit sorted
-- the whole table: about 1.5 s at a million versions (docs/performance.md, "The operator's pages at scale"). This
-- index lets the page walk the newest versions and stop at its page size.
-- The price: updated_at changes at every step, so a version's update can no longer be HOT (0006) and touches every
-- index of file_version; measured at about 25 µs more per single-row update, beside an upload's HTTP round trip.
create index if not exists file_version_by_update on orchestrator.file_version (updated_at, id);
