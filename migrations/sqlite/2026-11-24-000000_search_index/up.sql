-- ?s= search served from an index: an FTS5 table with the trigram tokenizer over the three
-- searched fields. A phrase query finds every row holding the term's trigrams in order (any
-- case); the service re-checks the exact rule on those rows, so results equal the plain
-- lower(...) LIKE '%term%' scan. Contentless: it holds the index only, not a second copy of
-- the text. Triggers keep it in step with users in the same transaction.
CREATE VIRTUAL TABLE users_search USING fts5(
    username, name, email,
    content = '', contentless_delete = 1,
    tokenize = 'trigram case_sensitive 0'
);

INSERT INTO users_search (rowid, username, name, email)
    SELECT id, username, name, coalesce(email, '') FROM users;

-- A bulk import fills the index in one statement per batch instead, some 3 times faster
-- than a trigger per row: it inserts this row first, in the same transaction, and deletes
-- it before committing, so no other connection ever sees the index paused.
CREATE TABLE search_index_paused (id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1));

CREATE TRIGGER users_search_insert AFTER INSERT ON users
WHEN NOT EXISTS (SELECT 1 FROM search_index_paused) BEGIN
    INSERT INTO users_search (rowid, username, name, email)
        VALUES (new.id, new.username, new.name, coalesce(new.email, ''));
END;

CREATE TRIGGER users_search_update AFTER UPDATE OF username, name, email ON users BEGIN
    DELETE FROM users_search WHERE rowid = old.id;
    INSERT INTO users_search (rowid, username, name, email)
        VALUES (new.id, new.username, new.name, coalesce(new.email, ''));
END;

CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    DELETE FROM users_search WHERE rowid = old.id;
END;
