-- 0075: a scan whose Include/Exclude patterns took none of the files in the folder records how many they left out, so
-- that the source_patterns_took_none gauge and "Needs a person" can say so (docs/sources.md, how Include and
-- Exclude read a pattern); before, only a warning in the log did, and the run itself read as "no changes", as an up-to-date one does.
-- Null for a run that took a file, or scanned no folder (a RemoteOnly source's, one that failed before its scan ended).
alter table orchestrator.run add column if not exists files_left_out_by_patterns integer;
