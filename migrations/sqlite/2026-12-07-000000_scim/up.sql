-- SCIM: the identity provider's own id of a user or group (`externalId`), kept as it was
-- sent (compared exactly), indexed for the filters identity providers send.
ALTER TABLE users ADD COLUMN external_id TEXT;
CREATE INDEX users_external_id ON users (external_id);
ALTER TABLE user_groups ADD COLUMN external_id TEXT;
CREATE INDEX user_groups_external_id ON user_groups (external_id);

-- The door a change came through when it is not the v1 API or the command line: 'scim'.
ALTER TABLE audit_log ADD COLUMN via TEXT;

-- Each user's group ids, in the order of users.group_names (by name), kept beside the names
-- in the transaction of every membership change, rename and deletion: SCIM shows a user's
-- groups from its row, without a query of its own.
ALTER TABLE users ADD COLUMN group_ids TEXT NOT NULL DEFAULT '';
UPDATE users SET group_ids = COALESCE((
    SELECT group_concat(g.id, ',' ORDER BY g.name)
    FROM group_members m JOIN user_groups g ON g.id = m.group_id
    WHERE m.user_id = users.id), '');
