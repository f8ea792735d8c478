-- 0004: conversations that span runs. An email answering a run's notification starts a run that
-- continues the first run's thread; thread_run_id names that first run (NULL for a thread's first run).

ALTER TABLE runs
    ADD COLUMN thread_run_id uuid REFERENCES runs (id) ON DELETE SET NULL,
    ADD CONSTRAINT runs_thread_not_self CHECK (thread_run_id IS NULL OR thread_run_id <> id);
CREATE INDEX runs_thread_run_idx ON runs (thread_run_id, created_at) WHERE thread_run_id IS NOT NULL;

-- Looking up a run by the Message-ID of the email that started it (external_event_id of email runs)
-- is served by runs_external_event_unique (tenant, source, external_event_id).
