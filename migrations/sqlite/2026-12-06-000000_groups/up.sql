-- Groups and their members. ("groups" is a reserved word in MySQL 8: hence user_groups.)
CREATE TABLE user_groups (
    -- AUTOINCREMENT: ids of deleted groups are never handed out again.
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL
);
-- Unique ignoring case (names are ASCII, validated by the service).
CREATE UNIQUE INDEX user_groups_name_lower ON user_groups (lower(name));

CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES user_groups (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user_id ON group_members (user_id);

-- The group an audit entry concerns, as it was named then.
ALTER TABLE audit_log ADD COLUMN group_name TEXT;

-- Each user's group names, comma-separated by name, kept in the transaction of every
-- membership change, rename and deletion: forward-auth reads them with the session in its
-- one query instead of a second one per request.
ALTER TABLE users ADD COLUMN group_names TEXT NOT NULL DEFAULT '';
