import django.db.models.expressions
from django.db import migrations, models


def first_contact_not_after_resolution(apps, schema_editor):
    """The queue's single sort key needs first contact due no later than resolution (set_deadlines
    now ensures it for new reports)."""
    Report = apps.get_model("reports", "Report")
    Report.objects.filter(first_contact_due__gt=models.F("resolution_due")).update(
        first_contact_due=models.F("resolution_due")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0009_public_notes_in_urdu_and_pashto"),
    ]

    operations = [
        migrations.RunPython(first_contact_not_after_resolution, migrations.RunPython.noop),
        migrations.AddField(
            model_name="report",
            name="next_due",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.expressions.Case(
                    models.When(status="new", then=models.F("first_contact_due")),
                    models.When(
                        status__in=["acknowledged", "in_progress", "new"], then=models.F("resolution_due")
                    ),
                    default=models.Value(None),
                    output_field=models.DateTimeField(),
                ),
                null=True,
                output_field=models.DateTimeField(),
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                # ASC is NULLS LAST on PostgreSQL, as the queue sorts; SQLite cannot say it in an index.
                models.OrderBy(models.F("next_due")),
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("public_id")),
                name="report_queue_order",
            ),
        ),
    ]
