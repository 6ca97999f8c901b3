-- Firmware images on releases, and each product's TUF update repository.

ALTER TABLE releases ADD COLUMN hardware_revisions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE releases ADD COLUMN security_update BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE releases ADD COLUMN image_name TEXT NOT NULL DEFAULT '';
ALTER TABLE releases ADD COLUMN image_length BIGINT NOT NULL DEFAULT 0;
ALTER TABLE releases ADD COLUMN image_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE releases ADD COLUMN image_sha512 TEXT NOT NULL DEFAULT '';
ALTER TABLE releases ADD COLUMN image_blob TEXT NOT NULL DEFAULT '';
ALTER TABLE releases ADD COLUMN image_uploaded_at TIMESTAMPTZ;
ALTER TABLE releases ADD COLUMN signed_at TIMESTAMPTZ;
ALTER TABLE releases ADD COLUMN signed_custom BYTEA NOT NULL DEFAULT '';

CREATE TABLE tuf_repositories (
    product_id   TEXT PRIMARY KEY REFERENCES products (id),
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    root_version BIGINT NOT NULL,
    root_expires TIMESTAMPTZ NOT NULL,
    refresh_at   TIMESTAMPTZ NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX tuf_repositories_due ON tuf_repositories (refresh_at);

CREATE TABLE tuf_keys (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organisations (id),
    product_id     TEXT NOT NULL REFERENCES products (id),
    role           TEXT NOT NULL,
    key_id         TEXT NOT NULL,
    public_key     BYTEA NOT NULL,
    sealed_private BYTEA NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    retired_at     TIMESTAMPTZ,
    UNIQUE (product_id, key_id)
);

CREATE TABLE tuf_metadata (
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    role       TEXT NOT NULL,
    version    BIGINT NOT NULL,
    expires    TIMESTAMPTZ NOT NULL,
    body       BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (product_id, role, version)
);
