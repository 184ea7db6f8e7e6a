DROP TABLE outbox;
DROP TABLE mail_tokens;
ALTER TABLE users DROP COLUMN email_confirmed;
DELETE FROM throttle WHERE CHAR_LENGTH(subject) > 80;
ALTER TABLE throttle MODIFY subject VARCHAR(80) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
