-- byoos schema, SQLite. Timestamps are INTEGER Unix microseconds (UTC).
-- Optional project references are NULL for "tenant-wide"; unique indexes on
-- COALESCE(project_uid, '') make tenant-wide names unique too. Tables are
-- STRICT so that a value of the wrong type is an error, not a silent coercion.

CREATE TABLE tenants (
    uid        TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE projects (
    uid        TEXT PRIMARY KEY,
    tenant_uid TEXT NOT NULL REFERENCES tenants (uid),
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_uid, name)
) STRICT;

CREATE TABLE api_keys (
    uid         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    tenant_uid  TEXT NOT NULL REFERENCES tenants (uid),
    project_uid TEXT REFERENCES projects (uid),
    role        TEXT NOT NULL,
    hash        BLOB NOT NULL UNIQUE,
    prefix      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) STRICT;
CREATE INDEX api_keys_tenant ON api_keys (tenant_uid, created_at);

CREATE TABLE registries (
    uid         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    tenant_uid  TEXT NOT NULL REFERENCES tenants (uid),
    project_uid TEXT REFERENCES projects (uid),
    is_default  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX registries_scope_name ON registries (tenant_uid, COALESCE(project_uid, ''), name);

CREATE TABLE pack_versions (
    uid          TEXT PRIMARY KEY,
    registry_uid TEXT NOT NULL REFERENCES registries (uid),
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    layer        TEXT NOT NULL,
    display_name TEXT NOT NULL,
    cloud_types  TEXT NOT NULL, -- JSON array, as pushed; pack_cloud_types indexes it
    addon_type   TEXT NOT NULL,
    digest       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (registry_uid, name, version)
) STRICT;
CREATE INDEX pack_versions_name ON pack_versions (name, version, registry_uid);

CREATE TABLE pack_cloud_types (
    pack_uid   TEXT NOT NULL REFERENCES pack_versions (uid) ON DELETE CASCADE,
    cloud_type TEXT NOT NULL,
    PRIMARY KEY (pack_uid, cloud_type)
) STRICT, WITHOUT ROWID;
CREATE INDEX pack_cloud_types_type ON pack_cloud_types (cloud_type, pack_uid);

CREATE TABLE pack_archives (
    pack_uid TEXT PRIMARY KEY REFERENCES pack_versions (uid) ON DELETE CASCADE,
    archive  BLOB
) STRICT;

CREATE TABLE profiles (
    uid         TEXT PRIMARY KEY,
    tenant_uid  TEXT NOT NULL REFERENCES tenants (uid),
    project_uid TEXT REFERENCES projects (uid),
    name        TEXT NOT NULL,
    version     TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    status      TEXT NOT NULL,
    type        TEXT NOT NULL,
    cloud_type  TEXT NOT NULL,
    body        BLOB,
    published   BLOB,
    warnings    BLOB,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX profiles_scope_name_version ON profiles (tenant_uid, COALESCE(project_uid, ''), name, version);

-- The audit log outlives what it names: no foreign keys. AUTOINCREMENT keeps
-- ids increasing and never reused, which BeforeID paging relies on.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    tenant_uid  TEXT NOT NULL,
    project_uid TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    uid         TEXT NOT NULL,
    summary     TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_tenant ON audit_events (tenant_uid, id);
CREATE INDEX audit_events_project ON audit_events (tenant_uid, project_uid, id);
