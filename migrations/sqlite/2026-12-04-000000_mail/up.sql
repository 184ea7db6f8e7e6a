-- Mail: confirmed addresses, the single-use tokens of reset and confirmation links (as
-- hashes), and the outbox the delivery worker sends from (see src/mail/).
ALTER TABLE users ADD COLUMN email_confirmed BOOLEAN NOT NULL DEFAULT 0;

CREATE TABLE mail_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- `reset` or `confirm`.
    purpose TEXT NOT NULL,
    -- SHA-256 of the token, hex: the plaintext exists only in the mail's link.
    token_hash TEXT NOT NULL,
    -- The address the link was sent to (a confirmation is for that address only).
    email TEXT NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL
);
CREATE UNIQUE INDEX mail_tokens_token_hash ON mail_tokens (token_hash);
CREATE INDEX mail_tokens_user_id ON mail_tokens (user_id);
CREATE INDEX mail_tokens_expires ON mail_tokens (expires);

-- A mail to send: what for and to whom; the link's token is made when it is sent, so no
-- usable token waits here in plain text.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    -- `reset` or `confirm`.
    kind TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    created BIGINT NOT NULL,
    -- `queued`, `sent`, `failed` (permanently refused or out of tries) or `dropped`
    -- (no longer meant: the address changed, the account was disabled).
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt BIGINT NOT NULL,
    -- An instance sending the mail holds it until then; another may take it after.
    lease_until BIGINT NOT NULL,
    last_error TEXT,
    finished BIGINT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt);
CREATE INDEX outbox_user_id ON outbox (user_id);
