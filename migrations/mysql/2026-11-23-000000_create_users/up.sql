-- Users and their bearer tokens. Times are unix seconds (BIGINT), the same on every backend.
-- MariaDB has no index on expressions: username and email use a case-insensitive
-- collation instead, which for the ASCII the service allows means the same as lower().
CREATE TABLE users (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    username VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
    name VARCHAR(250) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL,
    password_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE INDEX users_username_lower (username),
    UNIQUE INDEX users_email_lower (email)
) ENGINE = InnoDB;

CREATE TABLE tokens (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    -- SHA-256 of the token, hex: the plaintext is never stored.
    token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    UNIQUE INDEX tokens_token_hash (token_hash),
    INDEX tokens_user_id (user_id),
    CONSTRAINT tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB;

-- One row, updated first in every write transaction to serialise writers.
CREATE TABLE write_lock (
    id INTEGER NOT NULL PRIMARY KEY,
    generation BIGINT NOT NULL
) ENGINE = InnoDB;
INSERT INTO write_lock (id, generation) VALUES (1, 0);
