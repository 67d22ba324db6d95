-- One line per table of the public schema: name|rows|md5 of all its rows. Run it on a database and on
-- its restored copy and compare (docs/deploy.md, "Backups and the restore drill"):
--   psql -X -At -f deploy/fingerprint.sql "$DATABASE_URL" > before.txt
-- Rows are ordered by their own text, so the same data gives the same line on any copy.
SELECT format(
    'SELECT %L || ''|'' || count(*) || ''|'' || md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %I.%I t',
    tablename, schemaname, tablename
)
FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename
\gexec
