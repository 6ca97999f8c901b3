-- Device identity and check-ins, enrolment tokens, and rollouts.

ALTER TABLE devices ADD COLUMN device_group TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN public_key BYTEA;
ALTER TABLE devices ADD COLUMN enrolled_at TIMESTAMPTZ;
ALTER TABLE devices ADD COLUMN update_state TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN update_target TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN update_error TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN health TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN auto_update BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE devices ADD COLUMN last_checkin_at TIMESTAMPTZ;
ALTER TABLE devices ADD COLUMN rollout_id TEXT;
ALTER TABLE devices ADD COLUMN last_session_request BIGINT NOT NULL DEFAULT 0;
CREATE INDEX devices_by_rollout ON devices (rollout_id);

ALTER TABLE releases ADD COLUMN allow_rollback BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE enrolment_tokens (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    product_id   TEXT NOT NULL REFERENCES products (id),
    name         TEXT NOT NULL,
    secret_hash  BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    enrolled     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX enrolment_tokens_by_product ON enrolment_tokens (product_id);

CREATE TABLE rollouts (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organisations (id),
    product_id       TEXT NOT NULL REFERENCES products (id),
    release_id       TEXT NOT NULL REFERENCES releases (id),
    spec             TEXT NOT NULL,
    state            TEXT NOT NULL,
    phase            INTEGER NOT NULL,
    phase_started_at TIMESTAMPTZ NOT NULL,
    reason           TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX rollouts_by_product ON rollouts (product_id, state);
CREATE INDEX rollouts_by_state ON rollouts (state);
