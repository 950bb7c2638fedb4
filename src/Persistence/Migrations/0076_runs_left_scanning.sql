-- The watchdog looks, every poll tick, for runs still Scanning whose source lease nobody holds (a process that died
-- mid-scan left them): this keeps that look to the few Scanning rows, however long the run history grows.
create index if not exists run_scanning on orchestrator.run (source_name) where state = 'Scanning';
