ALTER TABLE users DROP COLUMN group_ids;
ALTER TABLE audit_log DROP COLUMN via;
DROP INDEX user_groups_external_id;
ALTER TABLE user_groups DROP COLUMN external_id;
DROP INDEX users_external_id;
ALTER TABLE users DROP COLUMN external_id;
