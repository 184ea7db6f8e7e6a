DROP TABLE write_lock;
DROP TABLE tokens;
DROP TABLE users;
