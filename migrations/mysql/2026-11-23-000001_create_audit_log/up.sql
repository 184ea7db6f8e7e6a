-- Security events, newest last. No foreign keys: the log outlives deleted users.
CREATE TABLE audit_log (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    at BIGINT NOT NULL,
    event VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    actor_id BIGINT NULL,
    target_id BIGINT NULL,
    -- A login may name any text; 1024 covers what a body of 64 KiB can sensibly hold.
    username VARCHAR(1024) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL,
    ip VARCHAR(45) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    INDEX audit_log_actor_id (actor_id),
    INDEX audit_log_target_id (target_id),
    INDEX audit_log_event (event)
) ENGINE = InnoDB;
