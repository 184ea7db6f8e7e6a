-- ?s= search on PostgreSQL from one narrow table: each user's lower-cased username, name
-- and address in one text (joined by U+001F, which no search term holds), with one pg_trgm
-- GIN index. The search's exact total has to visit every match to re-check it (a GIN index
-- cannot answer a count by itself): visiting ~100 bytes per user instead of the whole users
-- row is what makes a common term's count cheap (docs/performance.md). One index instead of
-- three also makes writes, and bulk imports above all, cheaper.
--
-- Kept in step by statement-level triggers with transition tables: one statement per
-- INSERT/UPDATE/DELETE (a COPY of 5,000 imported users included), not one per row.
CREATE TABLE users_haystack (
    id BIGINT PRIMARY KEY,
    haystack TEXT NOT NULL
);

CREATE FUNCTION users_haystack_of(username TEXT, name TEXT, email TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lower(username) || chr(31) || lower(name) || chr(31) || lower(coalesce(email, '')) $$;

CREATE FUNCTION users_haystack_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO users_haystack (id, haystack)
        SELECT id, users_haystack_of(username, name, email) FROM inserted;
    RETURN NULL;
END $$;

CREATE FUNCTION users_haystack_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users_haystack h SET haystack = users_haystack_of(n.username, n.name, n.email)
        FROM changed n
        WHERE h.id = n.id AND h.haystack <> users_haystack_of(n.username, n.name, n.email);
    RETURN NULL;
END $$;

CREATE FUNCTION users_haystack_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM users_haystack h USING deleted d WHERE h.id = d.id;
    RETURN NULL;
END $$;

CREATE TRIGGER users_haystack_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION users_haystack_inserted();
CREATE TRIGGER users_haystack_update AFTER UPDATE ON users
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION users_haystack_updated();
CREATE TRIGGER users_haystack_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION users_haystack_deleted();

INSERT INTO users_haystack (id, haystack)
    SELECT id, users_haystack_of(username, name, email) FROM users;
CREATE INDEX users_haystack_trgm ON users_haystack USING gin (haystack gin_trgm_ops);
-- Statistics at once: without them the planner scans the table for a search.
ANALYZE users_haystack;

-- The three indexes per column served the search before; the haystack's serves it now.
DROP INDEX users_username_trgm;
DROP INDEX users_name_trgm;
DROP INDEX users_email_trgm;
