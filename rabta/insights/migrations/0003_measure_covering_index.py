"""A covering index for a place's rows on PostgreSQL: a page reads one place's few hundred rows of a
year, which the rollup wrote period by period onto as many heap pages; with the values in the index it
reads the index alone (an index-only scan once autovacuum has marked the pages visible). SQLite has no
INCLUDE; its unique index serves."""

from django.db import migrations

INDEX = "measure_place_covering"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON insights_measure (scope, scope_id, period, start) "
            'INCLUDE (metric, "group", n, value)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("insights", "0002_public_hidden_station_hexes")]
    operations = [migrations.RunPython(create, drop)]
