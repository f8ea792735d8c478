-- 0001: the initial Agentry schema (DESIGN.md, "State").
-- Times are timestamptz; money is numeric(18, 6) in US dollars; JSON documents are jsonb.

-- Runs: one per accepted event. The same external event (per tenant and source) is one run.
CREATE TABLE runs (
    id                uuid PRIMARY KEY,
    tenant            text NOT NULL CHECK (tenant <> ''),
    source            text NOT NULL CHECK (source <> ''),
    external_event_id text,
    request           text NOT NULL,
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN (
                          'pending', 'planning', 'running', 'waiting_for_approval', 'paused',
                          'completed', 'failed', 'cancelled')),
    plan              jsonb,
    context           jsonb NOT NULL DEFAULT '{}'::jsonb,
    budget_usd        numeric(18, 6) CHECK (budget_usd >= 0),
    cost_usd          numeric(18, 6) NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
    prompt_tokens     bigint NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens bigint NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    source_reference  jsonb,
    error             text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    -- Optimistic concurrency: UPDATE ... SET version = version + 1 WHERE id = $1 AND version = $2.
    version           integer NOT NULL DEFAULT 0 CHECK (version >= 0),
    CONSTRAINT runs_external_event_unique UNIQUE (tenant, source, external_event_id)
);
CREATE INDEX runs_tenant_created_at_idx ON runs (tenant, created_at);
CREATE INDEX runs_status_idx ON runs (status);

-- Steps of a run's plan.
CREATE TABLE steps (
    run_id          uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step_id         text NOT NULL CHECK (step_id <> ''),
    specialist      text NOT NULL,
    tool            text NOT NULL,
    input           jsonb NOT NULL DEFAULT '{}'::jsonb,
    depends_on      text[] NOT NULL DEFAULT '{}',
    risk            text NOT NULL DEFAULT 'low',
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN (
                        'pending', 'ready', 'dispatched', 'awaiting_approval', 'approved',
                        'succeeded', 'failed', 'rejected', 'cancelled')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts    integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    output          jsonb,
    error           text,
    idempotency_key text UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    PRIMARY KEY (run_id, step_id)
);
CREATE INDEX steps_status_idx ON steps (status);

-- Approvals: of one step (step_id set) or of the whole plan (step_id NULL).
CREATE TABLE approvals (
    id             uuid PRIMARY KEY,
    run_id         uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step_id        text,
    kind           text NOT NULL CHECK (kind IN ('step', 'plan')),
    approvers      text[] NOT NULL DEFAULT '{}',
    approver_roles text[] NOT NULL DEFAULT '{}',
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
    decided_by     text,
    comment        text,
    edited_plan    jsonb,
    deadline       timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    decided_at     timestamptz,
    CONSTRAINT approvals_kind_matches_step CHECK ((kind = 'step') = (step_id IS NOT NULL)),
    CONSTRAINT approvals_step_fk FOREIGN KEY (run_id, step_id) REFERENCES steps (run_id, step_id) ON DELETE CASCADE
);
CREATE INDEX approvals_run_idx ON approvals (run_id);
CREATE INDEX approvals_pending_deadline_idx ON approvals (deadline) WHERE status = 'pending';
-- At most one open approval per step, and one per plan.
CREATE UNIQUE INDEX approvals_one_pending_idx ON approvals (run_id, coalesce(step_id, '')) WHERE status = 'pending';

-- Transactional outbox: envelopes written with the state change that caused them, relayed later.
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    envelope_id uuid NOT NULL UNIQUE,
    exchange    text NOT NULL,
    routing_key text NOT NULL,
    envelope    jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    attempts    integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error  text
);
CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;

-- Idempotent consumption: a consumer records each envelope it has handled.
CREATE TABLE processed_messages (
    consumer     text NOT NULL,
    envelope_id  uuid NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, envelope_id)
);
CREATE INDEX processed_messages_processed_at_idx ON processed_messages (processed_at);

-- The audit log: append-only and hash-chained. No foreign keys: it outlives what it describes.
CREATE TABLE audit_log (
    seq         bigserial PRIMARY KEY,
    envelope_id uuid NOT NULL UNIQUE,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    tenant      text NOT NULL,
    run_id      uuid,
    actor       text NOT NULL,
    action      text NOT NULL,
    payload     jsonb NOT NULL DEFAULT '{}'::jsonb,
    prev_hash   text,
    hash        text NOT NULL CHECK (hash <> '')
);
CREATE INDEX audit_log_run_idx ON audit_log (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX audit_log_tenant_occurred_at_idx ON audit_log (tenant, occurred_at);

CREATE FUNCTION audit_log_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Audit entries can only be inserted and read.';
END;
$$;
CREATE TRIGGER audit_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

-- Every model call: tokens, cost, cache hits and latency.
CREATE TABLE model_usage (
    id                bigserial PRIMARY KEY,
    -- The model.request envelope, so that a redelivered request is not counted twice.
    request_id        uuid UNIQUE,
    run_id            uuid,
    step_id           text,
    tenant            text NOT NULL,
    alias             text NOT NULL,
    provider          text NOT NULL,
    model             text NOT NULL,
    prompt_tokens     bigint NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens bigint NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    cost_usd          numeric(18, 6) NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
    cached            boolean NOT NULL DEFAULT false,
    latency_ms        integer NOT NULL DEFAULT 0 CHECK (latency_ms >= 0),
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_usage_tenant_created_at_idx ON model_usage (tenant, created_at);
CREATE INDEX model_usage_run_idx ON model_usage (run_id);

-- API keys: only a hash of the secret is stored; the prefix identifies a key in listings.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    key_hash     text NOT NULL UNIQUE,
    prefix       text NOT NULL,
    role         text NOT NULL CHECK (role IN ('admin', 'operator', 'approver', 'submitter', 'viewer')),
    tenant       text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX api_keys_prefix_idx ON api_keys (prefix);

-- Notifications sent by the notifier; the idempotency key makes a redelivery a no-op.
CREATE TABLE deliveries (
    id              uuid PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    run_id          uuid,
    channel         text NOT NULL CHECK (channel IN ('slack', 'email', 'jira', 'webhook', 'capture')),
    target          text NOT NULL,
    payload         jsonb NOT NULL DEFAULT '{}'::jsonb,
    status          text NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    response        text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz
);
CREATE INDEX deliveries_run_idx ON deliveries (run_id);

-- Declared workflows: each (name, version) is immutable once published.
CREATE TABLE workflows (
    name       text NOT NULL CHECK (name <> ''),
    version    integer NOT NULL CHECK (version >= 1),
    definition jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, version)
);

CREATE FUNCTION workflows_reject_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'workflows are immutable: publish a new version of % instead', OLD.name
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER workflows_immutable
    BEFORE UPDATE ON workflows
    FOR EACH ROW EXECUTE FUNCTION workflows_reject_update();
