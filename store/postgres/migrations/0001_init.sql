-- byoos schema, PostgreSQL. Names and versions use the "C" collation so that
-- ORDER BY is byte order, as in SQLite, whatever the database's locale.
-- Optional project references are NULL for "tenant-wide"; unique indexes on
-- COALESCE(project_uid, '') make tenant-wide names unique too.

CREATE TABLE tenants (
    uid        TEXT PRIMARY KEY,
    name       TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE projects (
    uid        TEXT PRIMARY KEY,
    tenant_uid TEXT NOT NULL REFERENCES tenants (uid),
    name       TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_uid, name)
);

CREATE TABLE api_keys (
    uid         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    tenant_uid  TEXT NOT NULL REFERENCES tenants (uid),
    project_uid TEXT REFERENCES projects (uid),
    role        TEXT NOT NULL,
    hash        BYTEA NOT NULL UNIQUE,
    prefix      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_uid, created_at);

CREATE TABLE registries (
    uid         TEXT PRIMARY KEY,
    name        TEXT COLLATE "C" NOT NULL,
    kind        TEXT NOT NULL,
    tenant_uid  TEXT NOT NULL REFERENCES tenants (uid),
    project_uid TEXT REFERENCES projects (uid),
    is_default  BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX registries_scope_name ON registries (tenant_uid, COALESCE(project_uid, ''), name);

CREATE TABLE pack_versions (
    uid          TEXT PRIMARY KEY,
    registry_uid TEXT NOT NULL REFERENCES registries (uid),
    name         TEXT COLLATE "C" NOT NULL,
    version      TEXT COLLATE "C" NOT NULL,
    layer        TEXT NOT NULL,
    display_name TEXT NOT NULL,
    cloud_types  TEXT NOT NULL, -- JSON array, as pushed; pack_cloud_types indexes it
    addon_type   TEXT NOT NULL,
    digest       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (registry_uid, name, version)
);
CREATE INDEX pack_versions_name ON pack_versions (name, version, registry_uid);

CREATE TABLE pack_cloud_types (
    pack_uid   TEXT NOT NULL REFERENCES pack_versions (uid) ON DELETE CASCADE,
    cloud_type TEXT NOT NULL,
    PRIMARY KEY (pack_uid, cloud_type)
);
CREATE INDEX pack_cloud_types_type ON pack_cloud_types (cloud_type, pack_uid);

CREATE TABLE pack_archives (
    pack_uid TEXT PRIMARY KEY REFERENCES pack_versions (uid) ON DELETE CASCADE,
    archive  BYTEA
);

CREATE TABLE profiles (
    uid         TEXT PRIMARY KEY,
    tenant_uid  TEXT NOT NULL REFERENCES tenants (uid),
    project_uid TEXT REFERENCES projects (uid),
    name        TEXT COLLATE "C" NOT NULL,
    version     TEXT COLLATE "C" NOT NULL,
    revision    BIGINT NOT NULL,
    status      TEXT NOT NULL,
    type        TEXT NOT NULL,
    cloud_type  TEXT NOT NULL,
    body        BYTEA,
    published   BYTEA,
    warnings    BYTEA,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX profiles_scope_name_version ON profiles (tenant_uid, COALESCE(project_uid, ''), name, version);

-- The audit log outlives what it names: no foreign keys. Identity values are
-- taken in order but committed in any order by concurrent writers; BeforeID
-- paging is exact for events committed before the first page was read.
CREATE TABLE audit_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    tenant_uid  TEXT NOT NULL,
    project_uid TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    uid         TEXT NOT NULL,
    summary     TEXT NOT NULL
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_uid, id);
CREATE INDEX audit_events_project ON audit_events (tenant_uid, project_uid, id);
