-- 0073: a saved parse configuration can bill a page above its tier: auto-mode rules parse the pages they match at a
-- tier of their own, and confidence_score_effort 'high' costs 5 credits a page more (docs/costs.md, "Tier of a
-- configuration"). The cache keeps both beside the tier.
-- (If not exists: run again over its own result, the whole migration changes nothing it has not changed already.)
alter table orchestrator.configuration_tier
    add column if not exists page_tiers text[] not null default '{}',
    add column if not exists extra_credits_per_page numeric not null default 0;

-- Tiers cached before were read without those options, nor an extract's parse_config_id: each saved configuration is
-- read again at its next planning rather than up to Costs:ConfigurationRecheck later.
update orchestrator.configuration_tier set fetched_at = '-infinity' where known and fetched_at <> '-infinity';
