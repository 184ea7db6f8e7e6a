-- Groups and their members. ("groups" is a reserved word in MySQL 8: hence user_groups.)
-- The name's case-insensitive collation makes the unique index ignore case, as lower()
-- does on the other backends (names are ASCII, validated by the service).
CREATE TABLE user_groups (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
    description VARCHAR(1000) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE INDEX user_groups_name_lower (name)
) ENGINE = InnoDB;

CREATE TABLE group_members (
    group_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id),
    INDEX group_members_user_id (user_id),
    CONSTRAINT group_members_group_fk FOREIGN KEY (group_id) REFERENCES user_groups (id) ON DELETE CASCADE,
    CONSTRAINT group_members_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB;

-- The group an audit entry concerns, as it was named then.
ALTER TABLE audit_log ADD COLUMN group_name VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL;

-- Each user's group names, comma-separated by name, kept in the transaction of every
-- membership change, rename and deletion: forward-auth reads them with the session in its
-- one query instead of a second one per request.
ALTER TABLE users ADD COLUMN group_names TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '';
