-- Login and registration counters, shared by every instance on the database (see
-- src/security/throttle.rs). One row per username or client address with recent activity;
-- rows past `expires` mean nothing and are pruned.
CREATE TABLE throttle (
    -- `u:` and a username of at most 64 characters, or `a:`/`r:` and an address.
    subject VARCHAR(80) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
    events TEXT CHARACTER SET ascii NOT NULL,
    locked_until BIGINT NOT NULL,
    lockouts INT NOT NULL,
    pending INT NOT NULL,
    pending_at BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    INDEX throttle_expires (expires)
) ENGINE = InnoDB;
