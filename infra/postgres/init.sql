-- Roles and schemas of the platform (DESIGN.md §2, §4): one database, one schema and one login
-- role per service. A service role owns its schema (its migrations create tables there) and has
-- no privilege on any other schema: services never read each other's data.
-- Run as a superuser against the target database by scripts/postgres.sh (idempotent).
-- Passwords are set by the script from <SERVICE>_DB_PASSWORD (default: the role name, for local
-- development only).

REVOKE CREATE ON SCHEMA public FROM PUBLIC;

DO $$
DECLARE
  svc text;
BEGIN
  FOREACH svc IN ARRAY ARRAY['ingestion', 'reference', 'validation', 'scoring', 'alerting', 'reporting'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = svc) THEN
      EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT', svc);
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), svc);
    IF NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = svc) THEN
      EXECUTE format('CREATE SCHEMA %I AUTHORIZATION %I', svc, svc);
    END IF;
    EXECUTE format('ALTER ROLE %I SET search_path = %I', svc, svc);
  END LOOP;
END $$;
