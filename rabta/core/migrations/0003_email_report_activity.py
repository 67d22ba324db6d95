from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_outbound_email"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outboundemail",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("reporter_update", "news for a reporter"),
                    ("overdue", "overdue report for a supervisor"),
                    ("action_reminder", "action item reminder"),
                    ("account", "staff account (password reset)"),
                    ("report_activity", "a resident added to an assigned report"),
                ],
                max_length=32,
                verbose_name="purpose",
            ),
        ),
    ]
