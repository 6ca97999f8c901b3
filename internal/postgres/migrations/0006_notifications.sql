-- Where organisations want vulnerability notifications sent, and the
-- outbox of deliveries: written in the transaction that records what
-- happened, delivered at least once by whichever server claims it.

CREATE TABLE notification_targets (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    url           TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    min_score     DOUBLE PRECISION NOT NULL,
    on_exploited  BOOLEAN NOT NULL,
    secret_sealed BYTEA,                  -- webhook signing secret, encrypted (secretbox)
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX notification_targets_by_org ON notification_targets (org_id);

CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organisations (id),
    target_id       TEXT NOT NULL REFERENCES notification_targets (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    payload         BYTEA NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    delivered_at    TIMESTAMPTZ,
    failed_at       TIMESTAMPTZ,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX notifications_by_target ON notifications (target_id, created_at);
