-- Lifeline schema, version 1: organisations, access, the product registry and the audit log.
-- Times are timestamptz in UTC; identifiers are UUIDv7 text.

CREATE TABLE organisations (
    id               TEXT PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('manufacturer', 'agency', 'test_lab')),
    website          TEXT NOT NULL DEFAULT '',
    security_contact TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    site_admin    BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    disabled_at   TIMESTAMPTZ
);

CREATE TABLE memberships (
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    role       TEXT NOT NULL CHECK (role IN ('owner', 'maintainer', 'viewer')),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    secret_hash  BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX api_tokens_by_org ON api_tokens (org_id, user_id);

CREATE TABLE sessions (
    id_hash      BYTEA PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    org_id       TEXT NOT NULL DEFAULT '',
    csrf_key     BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE products (
    id                 TEXT PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES organisations (id),
    slug               TEXT NOT NULL,
    name               TEXT NOT NULL,
    model_designation  TEXT NOT NULL,
    category           TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    published          BOOLEAN NOT NULL DEFAULT FALSE,
    ever_published     BOOLEAN NOT NULL DEFAULT FALSE,
    support_end        TEXT,
    support_last_day   TEXT,
    support_shortened  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, slug),
    UNIQUE (org_id, model_designation)
);
CREATE INDEX products_by_org_name ON products (org_id, name, id);
CREATE INDEX products_published ON products (published, name, id);

CREATE TABLE support_period_changes (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    product_id   TEXT NOT NULL REFERENCES products (id),
    kind         TEXT NOT NULL CHECK (kind IN ('declared', 'extended', 'shortened', 'corrected')),
    previous_end TEXT,
    end_date     TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    forced       BOOLEAN NOT NULL DEFAULT FALSE,
    published    BOOLEAN NOT NULL DEFAULT FALSE,
    actor_id     TEXT NOT NULL DEFAULT '',
    actor_label  TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX support_period_changes_by_product ON support_period_changes (product_id, id);
CREATE FUNCTION lifeline_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER support_period_changes_append_only BEFORE UPDATE ON support_period_changes
    FOR EACH ROW EXECUTE FUNCTION lifeline_refuse_change();

CREATE TABLE hardware_revisions (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    name       TEXT NOT NULL,
    notes      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (product_id, name)
);

CREATE TABLE releases (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    product_id  TEXT NOT NULL REFERENCES products (id),
    version     TEXT NOT NULL,
    released_at TIMESTAMPTZ NOT NULL,
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (product_id, version)
);
CREATE INDEX releases_by_date ON releases (product_id, released_at, id);

CREATE TABLE devices (
    id                   TEXT PRIMARY KEY,
    org_id               TEXT NOT NULL REFERENCES organisations (id),
    product_id           TEXT NOT NULL REFERENCES products (id),
    serial               TEXT NOT NULL,
    hardware_revision_id TEXT REFERENCES hardware_revisions (id),
    release_id           TEXT REFERENCES releases (id),
    first_seen           TIMESTAMPTZ,
    last_seen            TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    UNIQUE (product_id, serial)
);
CREATE INDEX devices_by_org_serial ON devices (org_id, serial, id);
CREATE INDEX devices_by_release ON devices (release_id);
CREATE INDEX devices_by_hardware_revision ON devices (hardware_revision_id);

CREATE TABLE audit_events (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL DEFAULT '',
    at          TIMESTAMPTZ NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_label TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    token_id    TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL DEFAULT '',
    target_id   TEXT NOT NULL DEFAULT '',
    summary     TEXT NOT NULL DEFAULT '',
    details     JSONB
);
CREATE INDEX audit_events_by_org ON audit_events (org_id, id);
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION lifeline_refuse_change();
