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

CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
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
