ALTER TABLE users DROP COLUMN group_names;
ALTER TABLE audit_log DROP COLUMN group_name;
DROP TABLE group_members;
DROP TABLE user_groups;
