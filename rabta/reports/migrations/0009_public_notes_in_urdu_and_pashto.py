from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0008_resident_additions"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportupdate",
            name="note_ur",
            field=models.TextField(blank=True, max_length=2000, verbose_name="note in Urdu"),
        ),
        migrations.AddField(
            model_name="reportupdate",
            name="note_ps",
            field=models.TextField(blank=True, max_length=2000, verbose_name="note in Pashto"),
        ),
    ]
