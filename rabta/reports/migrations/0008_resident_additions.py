from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0007_private_photo_storage"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportupdate",
            name="from_resident",
            field=models.BooleanField(default=False, verbose_name="from the resident"),
        ),
    ]
