-- Settings of the whole database, by name: the key check value
-- ("secret_key_check"), text sealed with the key that seals secrets, which
-- tells a starting server whether its key is the one the data was sealed with.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
