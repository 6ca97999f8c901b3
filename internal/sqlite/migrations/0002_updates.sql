-- Firmware images on releases, and each product's TUF update repository.

ALTER TABLE releases ADD COLUMN hardware_revisions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE releases ADD COLUMN security_update INTEGER NOT NULL DEFAULT 0;
ALTER TABLE releases ADD COLUMN image_name TEXT NOT NULL DEFAULT '';
ALTER TABLE releases ADD COLUMN image_length INTEGER NOT NULL DEFAULT 0;
ALTER TABLE releases ADD COLUMN image_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE releases ADD COLUMN image_sha512 TEXT NOT NULL DEFAULT '';
ALTER TABLE releases ADD COLUMN image_blob TEXT NOT NULL DEFAULT '';
ALTER TABLE releases ADD COLUMN image_uploaded_at TEXT;
ALTER TABLE releases ADD COLUMN signed_at TEXT;
ALTER TABLE releases ADD COLUMN signed_custom BLOB NOT NULL DEFAULT X'';

CREATE TABLE tuf_repositories (
    product_id   TEXT PRIMARY KEY REFERENCES products (id),
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    root_version INTEGER NOT NULL,
    root_expires TEXT NOT NULL,
    refresh_at   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX tuf_repositories_due ON tuf_repositories (refresh_at);

CREATE TABLE tuf_keys (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organisations (id),
    product_id     TEXT NOT NULL REFERENCES products (id),
    role           TEXT NOT NULL,
    key_id         TEXT NOT NULL,
    public_key     BLOB NOT NULL,
    sealed_private BLOB NOT NULL,
    created_at     TEXT NOT NULL,
    retired_at     TEXT,
    UNIQUE (product_id, key_id)
);

CREATE TABLE tuf_metadata (
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    role       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    expires    TEXT NOT NULL,
    body       BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (product_id, role, version)
);
