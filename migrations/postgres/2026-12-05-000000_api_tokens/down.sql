DELETE FROM tokens WHERE kind <> 'session';
ALTER TABLE tokens DROP COLUMN user_agent;
ALTER TABLE tokens DROP COLUMN ip;
ALTER TABLE tokens DROP COLUMN last_used;
ALTER TABLE tokens DROP COLUMN scopes;
ALTER TABLE tokens DROP COLUMN title;
ALTER TABLE tokens DROP COLUMN kind;
