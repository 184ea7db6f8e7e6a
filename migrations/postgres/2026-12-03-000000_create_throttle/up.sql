-- Login and registration counters, shared by every instance on the database (see
-- src/security/throttle.rs). One row per username or client address with recent activity;
-- rows past `expires` mean nothing and are pruned.
CREATE TABLE throttle (
    subject TEXT PRIMARY KEY,
    events TEXT NOT NULL,
    locked_until BIGINT NOT NULL,
    lockouts INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    pending_at BIGINT NOT NULL,
    expires BIGINT NOT NULL
);
CREATE INDEX throttle_expires ON throttle (expires);
