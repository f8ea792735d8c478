-- 0005: finding the run a Slack thread belongs to. A mention inside a thread continues the run
-- that started the thread (runs.thread_run_id, 0004); the thread is the channel and the parent
-- message's ts kept in the run's source reference.

CREATE INDEX runs_slack_thread_idx
    ON runs (tenant, (source_reference ->> 'slackChannel'), (source_reference ->> 'slackThreadTs'), created_at)
    WHERE source = 'slack';
