-- User macros ({{ .spectro.macro.NAME }}) by scope: a tenant's (project_uid
-- '') or one of its projects'. Names are unique in a scope.
CREATE TABLE macros (
    tenant_uid  TEXT NOT NULL REFERENCES tenants (uid),
    project_uid TEXT NOT NULL DEFAULT '',
    name        TEXT COLLATE "C" NOT NULL,
    value       TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_uid, project_uid, name)
);
