-- The SBOM attached to each release: the original file in the blob store,
-- the normalised document here.

CREATE TABLE release_sboms (
    release_id  TEXT PRIMARY KEY REFERENCES releases (id),
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    product_id  TEXT NOT NULL REFERENCES products (id),
    format      TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    components  INTEGER NOT NULL,
    vex         INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    blob_key    TEXT NOT NULL,
    document    BYTEA NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX release_sboms_by_product ON release_sboms (product_id);
