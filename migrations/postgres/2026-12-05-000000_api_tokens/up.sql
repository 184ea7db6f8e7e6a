-- Sessions and API tokens share the tokens table: `kind` tells them apart. A session
-- (`session`) is what a login issues and may do all its owner may; an API token (`api`)
-- has a title and may do only what its `scopes` (space-separated) allow. `last_used` is
-- written at most once a minute; `ip` and `user_agent` are those of the login.
ALTER TABLE tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'session';
ALTER TABLE tokens ADD COLUMN title TEXT;
ALTER TABLE tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN last_used BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
UPDATE tokens SET last_used = created;
