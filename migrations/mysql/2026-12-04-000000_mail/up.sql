-- Mail: confirmed addresses, the single-use tokens of reset and confirmation links (as
-- hashes), and the outbox the delivery worker sends from (see src/mail/).
ALTER TABLE users ADD COLUMN email_confirmed BOOLEAN NOT NULL DEFAULT FALSE;

-- Throttle counters also per email address (`e:` and up to 254 characters).
ALTER TABLE throttle MODIFY subject VARCHAR(260) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;

CREATE TABLE mail_tokens (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    -- `reset` or `confirm`.
    purpose VARCHAR(16) CHARACTER SET ascii NOT NULL,
    -- SHA-256 of the token, hex: the plaintext exists only in the mail's link.
    token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    -- The address the link was sent to (a confirmation is for that address only).
    email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    UNIQUE INDEX mail_tokens_token_hash (token_hash),
    INDEX mail_tokens_user_id (user_id),
    INDEX mail_tokens_expires (expires),
    CONSTRAINT mail_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB;

-- A mail to send: what for and to whom; the link's token is made when it is sent, so no
-- usable token waits here in plain text.
CREATE TABLE outbox (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    -- `reset` or `confirm`.
    kind VARCHAR(16) CHARACTER SET ascii NOT NULL,
    user_id BIGINT NOT NULL,
    address VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
    created BIGINT NOT NULL,
    -- `queued`, `sent`, `failed` (permanently refused or out of tries) or `dropped`
    -- (no longer meant: the address changed, the account was disabled).
    state VARCHAR(16) CHARACTER SET ascii NOT NULL,
    attempts INT NOT NULL,
    next_attempt BIGINT NOT NULL,
    -- An instance sending the mail holds it until then; another may take it after.
    lease_until BIGINT NOT NULL,
    last_error TEXT CHARACTER SET utf8mb4 NULL,
    finished BIGINT NULL,
    INDEX outbox_due (state, next_attempt),
    INDEX outbox_user_id (user_id),
    CONSTRAINT outbox_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB;
