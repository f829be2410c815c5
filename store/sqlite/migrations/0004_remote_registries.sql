-- Remote registries: OCI registries (basic or ECR) and Helm chart
-- repositories, whose packs byoos reads (syncs) from where they live.
-- registries.kind is "pack" (pushed to byoos), "oci" or "helm". secret is the
-- password, token or AWS secret key, sealed with the server's key bound to the
-- registry's uid (never clear); ca_cert is a PEM certificate (public). The
-- sync_* columns are the state of the last sync. pack_versions.type is
-- "spectro" (also when empty) or "helm" (a chart read from a Helm repository).
ALTER TABLE registries ADD COLUMN provider TEXT NOT NULL DEFAULT '';
ALTER TABLE registries ADD COLUMN content_type TEXT NOT NULL DEFAULT '';
ALTER TABLE registries ADD COLUMN endpoint TEXT NOT NULL DEFAULT '';
ALTER TABLE registries ADD COLUMN base_path TEXT NOT NULL DEFAULT '';
ALTER TABLE registries ADD COLUMN base_content_path TEXT NOT NULL DEFAULT '';
ALTER TABLE registries ADD COLUMN is_private INTEGER NOT NULL DEFAULT 0;
ALTER TABLE registries ADD COLUMN sync_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE registries ADD COLUMN auth_type TEXT NOT NULL DEFAULT '';
ALTER TABLE registries ADD COLUMN username TEXT NOT NULL DEFAULT '';
ALTER TABLE registries ADD COLUMN secret TEXT NOT NULL DEFAULT '';
ALTER TABLE registries ADD COLUMN ca_cert TEXT NOT NULL DEFAULT '';
ALTER TABLE registries ADD COLUMN insecure_skip_verify INTEGER NOT NULL DEFAULT 0;
ALTER TABLE registries ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE registries ADD COLUMN sts_arn TEXT NOT NULL DEFAULT '';
ALTER TABLE registries ADD COLUMN sts_external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE registries ADD COLUMN sync_status TEXT NOT NULL DEFAULT '';
ALTER TABLE registries ADD COLUMN sync_message TEXT NOT NULL DEFAULT '';
ALTER TABLE registries ADD COLUMN sync_last_run INTEGER;
ALTER TABLE registries ADD COLUMN sync_last_synced INTEGER;
ALTER TABLE pack_versions ADD COLUMN type TEXT NOT NULL DEFAULT '';
