-- 0002: what the run lifecycle needs beyond the initial schema.

-- The outbox relays request/reply envelopes (model.request carries reply_to) and delayed retries.
ALTER TABLE outbox
    ADD COLUMN reply_to   text,
    ADD COLUMN delay_tier text CHECK (delay_tier IN ('1s', '5s', '30s', '5m'));

-- A run whose risky step was rejected by an approver ends as 'rejected'.
ALTER TABLE runs DROP CONSTRAINT runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check CHECK (status IN (
    'pending', 'planning', 'running', 'waiting_for_approval', 'paused',
    'completed', 'failed', 'cancelled', 'rejected'));

-- The model request the director is waiting on while planning, and how often it re-asked.
ALTER TABLE runs
    ADD COLUMN plan_request_id uuid,
    ADD COLUMN plan_attempts   integer NOT NULL DEFAULT 0 CHECK (plan_attempts >= 0);

-- The plan step's description, shown in the run's timeline.
ALTER TABLE steps ADD COLUMN description text;

-- Deliveries: which step or notification produced them, and whether they went to a real endpoint
-- or to the local capture.
ALTER TABLE deliveries
    ADD COLUMN step_id text,
    ADD COLUMN kind    text NOT NULL DEFAULT 'notification' CHECK (kind IN ('notification', 'step'));
