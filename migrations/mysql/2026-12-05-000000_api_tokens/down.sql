DELETE FROM tokens WHERE kind <> 'session';
ALTER TABLE tokens
    DROP COLUMN user_agent,
    DROP COLUMN ip,
    DROP COLUMN last_used,
    DROP COLUMN scopes,
    DROP COLUMN title,
    DROP COLUMN kind;
