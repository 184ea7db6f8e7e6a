-- Security events, newest last. No foreign keys: the log outlives deleted users.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    event TEXT NOT NULL,
    actor_id BIGINT,
    target_id BIGINT,
    username TEXT,
    ip TEXT NOT NULL
);
CREATE INDEX audit_log_actor_id ON audit_log (actor_id);
CREATE INDEX audit_log_target_id ON audit_log (target_id);
CREATE INDEX audit_log_event ON audit_log (event);
