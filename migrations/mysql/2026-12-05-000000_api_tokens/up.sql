-- Sessions and API tokens share the tokens table: `kind` tells them apart. A session
-- (`session`) is what a login issues and may do all its owner may; an API token (`api`)
-- has a title and may do only what its `scopes` (space-separated) allow. `last_used` is
-- written at most once a minute; `ip` and `user_agent` are those of the login.
ALTER TABLE tokens
    ADD COLUMN kind VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT 'session',
    ADD COLUMN title VARCHAR(250) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL,
    ADD COLUMN scopes VARCHAR(255) CHARACTER SET ascii NOT NULL DEFAULT '',
    ADD COLUMN last_used BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN ip VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT '',
    ADD COLUMN user_agent VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '';
UPDATE tokens SET last_used = created;
