"""The default categories (issue 3). Admins edit names, deadlines and sensitivity afterwards.

Default deadlines (docs/reports.md): first contact within 24 hours everywhere; resolution within
72 hours for urgent safety concerns and 14 days (336 hours) for the rest.
"""

from django.db import migrations

URGENT, OTHER = 72, 336

# code, English, Urdu, Pashto, sensitivity, suggest a woman officer, resolution hours, Open311 code
CATEGORIES = [
    (
        "street_harassment",
        "Street harassment",
        "سڑک پر ہراسانی",
        "په لاره کې ځورونه",
        "ordinary",
        True,
        URGENT,
        "harassment",
    ),
    (
        "violence_against_women",
        "Violence or harassment against women (women's desk)",
        "خواتین کے خلاف تشدد یا ہراسانی (ویمن ڈیسک)",
        "پر ښځو تاوتریخوالی یا ځورونه (د ښځو ډیسک)",
        "womens_desk",
        True,
        URGENT,
        "womens-desk",
    ),
    (
        "street_lighting",
        "Poor street lighting",
        "گلی میں ناقص روشنی",
        "په کوڅه کې کمزورې رڼا",
        "ordinary",
        False,
        OTHER,
        "streetlight",
    ),
    (
        "theft",
        "Theft or street crime",
        "چوری یا سڑک پر جرم",
        "غلا یا په لاره کې جرم",
        "ordinary",
        False,
        URGENT,
        "theft",
    ),
    ("drugs", "Drugs", "منشیات", "نشه يي توکي", "ordinary", False, OTHER, "drugs"),
    (
        "youth_violence",
        "Youth or gang violence",
        "نوجوانوں یا گروہوں کا تشدد",
        "د ځوانانو یا ډلو تاوتریخوالی",
        "ordinary",
        False,
        URGENT,
        "youth-violence",
    ),
    (
        "neighbour_dispute",
        "Dispute between neighbours",
        "ہمسایوں کا جھگڑا",
        "د ګاونډیانو شخړه",
        "ordinary",
        False,
        OTHER,
        "dispute",
    ),
    (
        "public_nuisance",
        "Public nuisance",
        "عوامی پریشانی",
        "عامه ستونزه",
        "ordinary",
        False,
        OTHER,
        "nuisance",
    ),
    (
        "traffic_danger",
        "Traffic danger",
        "ٹریفک کا خطرہ",
        "د ټرافیکو خطر",
        "ordinary",
        False,
        OTHER,
        "traffic",
    ),
    (
        "police_conduct",
        "Complaint about police conduct",
        "پولیس کے رویے کی شکایت",
        "د پولیسو د چلند په اړه شکایت",
        "conduct",
        False,
        OTHER,
        "police-conduct",
    ),
    ("other", "Something else", "کچھ اور", "بل څه", "ordinary", False, OTHER, "other"),
]


def create(apps, schema_editor):
    Category = apps.get_model("reports", "Category")
    for position, (code, en, ur, ps, sensitivity, woman, resolution, service) in enumerate(
        CATEGORIES, start=1
    ):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": en,
                "name_ur": ur,
                "name_ps": ps,
                "sensitivity": sensitivity,
                "suggest_woman_officer": woman,
                "first_contact_hours": 24,
                "resolution_hours": resolution,
                "open311_service_code": service,
                "position": position * 10,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("reports", "Category").objects.filter(
        code__in=[c[0] for c in CATEGORIES], reports=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
