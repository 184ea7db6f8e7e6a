-- ?s= search served from pg_trgm GIN indexes on the very expressions the query compares
-- (lower(column) LIKE '%term%'), so terms of 3 characters or more use the indexes.
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: a database owner
-- may create it without superuser rights.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_username_trgm ON users USING gin (lower(username) gin_trgm_ops);
CREATE INDEX users_name_trgm ON users USING gin (lower(name) gin_trgm_ops);
CREATE INDEX users_email_trgm ON users USING gin (lower(email) gin_trgm_ops);
