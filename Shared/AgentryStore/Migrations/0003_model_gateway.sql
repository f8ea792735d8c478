-- 0003: the model gateway's response cache, and the purpose and attempts of each usage row.

-- Exact-match cache of model replies, keyed by the SHA-256 of the normalised request.
CREATE TABLE model_cache (
    key         text PRIMARY KEY,
    alias       text NOT NULL,
    reply       jsonb NOT NULL,
    hits        bigint NOT NULL DEFAULT 0 CHECK (hits >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX model_cache_expires_at_idx ON model_cache (expires_at);

-- Why the call was made (plan, summarise, ...) and what the routing went through.
ALTER TABLE model_usage
    ADD COLUMN purpose  text,
    ADD COLUMN attempts integer NOT NULL DEFAULT 1 CHECK (attempts >= 0);
