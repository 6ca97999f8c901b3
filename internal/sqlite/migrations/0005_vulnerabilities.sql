-- Vulnerability monitoring. Advisories and feeds are shared by every
-- organisation (public data an operator configures); components, findings,
-- triage and VEX documents belong to one organisation.

CREATE TABLE advisories (
    source    TEXT NOT NULL,
    id        TEXT NOT NULL,
    vuln_id   TEXT NOT NULL,          -- the vulnerability this record is about, after alias merging
    modified  TEXT NOT NULL,
    withdrawn INTEGER NOT NULL,
    score     REAL NOT NULL,          -- highest CVSS base score, 0 when unknown
    exploited INTEGER NOT NULL,       -- listed as exploited in the wild (KEV)
    summary   TEXT NOT NULL,
    document  BLOB NOT NULL,          -- advisory.Advisory as JSON
    PRIMARY KEY (source, id)
);
CREATE INDEX advisories_by_vuln ON advisories (vuln_id);

-- Every id a record is known by (its own and its aliases), for lookups by any id.
CREATE TABLE advisory_ids (
    alias  TEXT NOT NULL,
    source TEXT NOT NULL,
    id     TEXT NOT NULL,
    PRIMARY KEY (alias, source, id)
);
CREATE INDEX advisory_ids_by_record ON advisory_ids (source, id);

-- The matcher's lookup keys of each record (see internal/vulnmatch).
CREATE TABLE advisory_keys (
    match_key TEXT NOT NULL,
    source    TEXT NOT NULL,
    id        TEXT NOT NULL,
    PRIMARY KEY (match_key, source, id)
);
CREATE INDEX advisory_keys_by_record ON advisory_keys (source, id);

CREATE TABLE feeds (
    name         TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    location     TEXT NOT NULL,
    max_modified TEXT,
    last_started TEXT,
    last_finished TEXT,
    records      INTEGER NOT NULL DEFAULT 0,
    error_count  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    lease_until  TEXT                    -- while a server imports the feed
);

-- The components of each release's SBOM, with their matcher keys.
CREATE TABLE release_components (
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    release_id TEXT NOT NULL REFERENCES releases (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    idx        INTEGER NOT NULL,
    identity   TEXT NOT NULL,          -- the component across versions (versionless purl, CPE vendor:product or name)
    ref        TEXT NOT NULL,
    name       TEXT NOT NULL,
    version    TEXT NOT NULL,
    purl       TEXT NOT NULL,
    cpes       TEXT NOT NULL,          -- newline-separated
    PRIMARY KEY (release_id, idx)
);
CREATE INDEX release_components_by_org ON release_components (org_id, release_id);

-- The VEX statements embedded in each release's SBOM (vex.Statement JSON),
-- kept apart from the document so rematches need not read whole SBOMs.
CREATE TABLE release_vex (
    release_id TEXT PRIMARY KEY REFERENCES releases (id),
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    statements BLOB NOT NULL
);

CREATE TABLE component_keys (
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    match_key  TEXT NOT NULL,
    release_id TEXT NOT NULL REFERENCES releases (id),
    idx        INTEGER NOT NULL,
    PRIMARY KEY (match_key, release_id, idx)
);
CREATE INDEX component_keys_by_release ON component_keys (release_id);

CREATE TABLE findings (
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    release_id    TEXT NOT NULL REFERENCES releases (id),
    product_id    TEXT NOT NULL REFERENCES products (id),
    idx           INTEGER NOT NULL,        -- the component in release_components
    vuln_id       TEXT NOT NULL,
    identity      TEXT NOT NULL,
    component     TEXT NOT NULL,           -- "name version", for display
    advisories    TEXT NOT NULL,           -- "source:id" of every matching record, space-separated
    reason        TEXT NOT NULL,           -- why it matched, JSON
    score         REAL NOT NULL,
    exploited     INTEGER NOT NULL,
    status        TEXT NOT NULL,           -- open, not_affected, false_positive, fixed, affected
    justification TEXT NOT NULL DEFAULT '',
    decided_by    TEXT NOT NULL DEFAULT '', -- "", "vex", "triage"
    first_seen    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (release_id, idx, vuln_id)
);
CREATE INDEX findings_by_org_vuln ON findings (org_id, vuln_id);
CREATE INDEX findings_by_org_product ON findings (org_id, product_id);
CREATE INDEX findings_by_identity ON findings (org_id, product_id, identity, vuln_id);

-- Triage decisions, per product and component identity so they carry over
-- to the product's later releases.
CREATE TABLE triage (
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    product_id    TEXT NOT NULL REFERENCES products (id),
    identity      TEXT NOT NULL,
    vuln_id       TEXT NOT NULL,
    state         TEXT NOT NULL,
    justification TEXT NOT NULL DEFAULT '',
    fixed_in      TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    release_id    TEXT NOT NULL DEFAULT '',
    decided_by    TEXT NOT NULL,
    decided_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, product_id, identity, vuln_id)
);

CREATE TABLE vex_documents (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    name        TEXT NOT NULL,
    format      TEXT NOT NULL,
    statements  INTEGER NOT NULL,
    document    BLOB NOT NULL,             -- []vex.Statement as JSON
    uploaded_at TEXT NOT NULL
);
CREATE INDEX vex_documents_by_org ON vex_documents (org_id);
