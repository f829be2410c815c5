-- The digest each Edge image of a published profile version resolved to
-- when that publication was first verified: later verifies report a tag that
-- now resolves elsewhere. published_sum is the checksum of the published
-- layers the digests were recorded for (a new publication has its own), ref
-- the image reference as the profile names it.
CREATE TABLE profile_digests (
    profile_uid   TEXT NOT NULL REFERENCES profiles (uid) ON DELETE CASCADE,
    published_sum TEXT NOT NULL,
    ref           TEXT COLLATE "C" NOT NULL,
    digest        TEXT NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (profile_uid, published_sum, ref)
);
