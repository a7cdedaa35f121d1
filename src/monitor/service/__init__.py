"""The long-running service (`monitor serve`): one asyncio loop with Scrapy's reactor, APScheduler 3, the match
stage, delivery, digests and the HTTP app; claims so that several nodes share one PostgreSQL; source health.

Modules, one job each: `schedules` (pure: triggers, offsets, claim slots, backoff, DST checks), `claims` (the
`job_claims` table), `health` (pure rules) and `health_store` (history and alert rows), `crawl_queue` (batches
scheduled crawls onto the one crawler runner), `crawl_jobs` (what a crawl tick does), `jobs` (registering the
scheduler's jobs), `operator_alerts`, `status` (for `monitor status` and `/healthz`), `http` and `metrics`,
`config_check`, `logs` and `process` (start-up and the shutdown order).
"""
