-- Vitrine metadata, version 1. Times are unix seconds. Records the server reads whole are
-- kept as JSON text beside the columns that queries filter on.

CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    tenant     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- 'live', or 'expired' (a tombstone that answers "expired" until purge_at)
    state      TEXT NOT NULL DEFAULT 'live',
    purge_at   BIGINT
);
CREATE INDEX sessions_due ON sessions (expires_at) WHERE state = 'live';
CREATE INDEX sessions_purge ON sessions (purge_at) WHERE state = 'expired';

CREATE TABLE artifacts (
    session_id TEXT NOT NULL,
    id         TEXT NOT NULL,
    tenant     TEXT NOT NULL,
    -- 'pending' while its bytes are uploading (never listed), then 'live',
    -- 'expired' or 'deleted' (tombstones: ids are never reused in a session)
    state      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    size       BIGINT NOT NULL,
    object_key TEXT NOT NULL,
    meta       TEXT NOT NULL,
    PRIMARY KEY (session_id, id)
);
CREATE INDEX artifacts_due ON artifacts (expires_at) WHERE state = 'live';
CREATE INDEX artifacts_pending ON artifacts (created_at) WHERE state = 'pending';

CREATE TABLE files (
    id                  TEXT PRIMARY KEY,
    tenant              TEXT NOT NULL,
    md5                 TEXT NOT NULL,
    complete            BOOLEAN NOT NULL,
    created_at          BIGINT NOT NULL,
    expires_at          BIGINT NOT NULL,
    upload_token_sha256 TEXT,
    upload_expires_at   BIGINT NOT NULL DEFAULT 0,
    record              TEXT NOT NULL
);
CREATE INDEX files_tenant ON files (tenant, created_at DESC, id);
CREATE INDEX files_md5 ON files (tenant, md5) WHERE complete;
CREATE INDEX files_due ON files (expires_at);

CREATE TABLE executions (
    id              TEXT PRIMARY KEY,
    tenant          TEXT NOT NULL,
    seq             BIGSERIAL NOT NULL,
    status          TEXT NOT NULL,
    idempotency_key TEXT,
    -- while running: when the claiming replica's lease runs out (unix milliseconds)
    lease_until     BIGINT,
    webhook_pending BOOLEAN NOT NULL DEFAULT FALSE,
    record          TEXT NOT NULL
);
CREATE UNIQUE INDEX executions_key ON executions (tenant, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX executions_queue ON executions (seq) WHERE status = 'enqueued';
CREATE INDEX executions_running ON executions (tenant) WHERE status = 'running';
CREATE INDEX executions_by_tenant ON executions (tenant, seq DESC);
CREATE INDEX executions_webhooks ON executions (id) WHERE webhook_pending AND status IN ('completed', 'failed');

CREATE TABLE skills (
    tenant  TEXT NOT NULL,
    id      TEXT NOT NULL,
    version INTEGER NOT NULL,
    name    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    record  TEXT NOT NULL,
    bundle  BYTEA NOT NULL,
    PRIMARY KEY (tenant, id, version)
);
CREATE TABLE skill_names (
    tenant TEXT NOT NULL,
    name   TEXT NOT NULL,
    id     TEXT NOT NULL,
    PRIMARY KEY (tenant, name)
);
CREATE TABLE skill_downloads (
    token_sha256 TEXT PRIMARY KEY,
    tenant       TEXT NOT NULL,
    id           TEXT NOT NULL,
    version      INTEGER NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE TABLE session_programs (
    session_id TEXT PRIMARY KEY,
    tenant     TEXT NOT NULL,
    program    TEXT NOT NULL
);

CREATE TABLE usage (
    tenant     TEXT NOT NULL,
    at         BIGINT NOT NULL,
    request_id TEXT NOT NULL,
    record     TEXT NOT NULL,
    PRIMARY KEY (tenant, at, request_id)
);
