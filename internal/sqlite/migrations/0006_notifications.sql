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
    min_score     REAL NOT NULL,
    on_exploited  INTEGER NOT NULL,
    secret_sealed BLOB,                  -- webhook signing secret, encrypted (secretbox)
    created_at    TEXT NOT NULL
);
CREATE INDEX notification_targets_by_org ON notification_targets (org_id);

CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organisations (id),
    target_id       TEXT NOT NULL REFERENCES notification_targets (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    payload         BLOB NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at    TEXT,
    failed_at       TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX notifications_by_target ON notifications (target_id, created_at);
