"""Urdu and Pashto versions of what the demo's staff wrote (meeting topics, priorities, actions,
outcomes), added after the English rows are seeded (rabta.engagement.demo)."""

from __future__ import annotations

from typing import Any

from rabta.engagement.models import ActionItem, Meeting, Priority
from rabta.places.models import District

# Urdu and Pashto versions of what staff wrote, keyed by the English. A few texts are left in
# English only, so the pages show the "in English" label where a version is missing.
VERSIONS: dict[str, tuple[str, str]] = {
    # meeting topics
    "Open talk with shopkeepers, youth and families": (
        "دکانداروں، نوجوانوں اور خاندانوں کے ساتھ کھلی کچہری",
        "د دوکاندارانو، ځوانانو او کورنیو سره کھلې کچهرۍ",
    ),
    "Women's safety session": ("خواتین کے تحفظ کی نشست", "د ښځو د خوندیتوب ناسته"),
    "Youth session: volunteer group": ("نوجوانوں کی نشست: رضاکار گروپ", "د ځوانانو ناسته: رضاکاره ډله"),
    "Awareness walk: peaceful coexistence": (
        "آگاہی واک: پُرامن بقائے باہمی",
        "د پوهاوي مزل: په سوله کې ګډ ژوند",
    ),
    "Awareness session: street harassment": (
        "آگاہی نشست: سڑکوں پر ہراسانی",
        "د پوهاوي ناسته: په لارو کوڅو کې ځورونه",
    ),
    "Awareness session: drugs and young people": (
        "آگاہی نشست: منشیات اور نوجوان",
        "د پوهاوي ناسته: نشه يي توکي او ځوانان",
    ),
    "Weekly open talk": ("ہفتہ وار کھلی کچہری", "اونیزه کھلې کچهرۍ"),
    # priorities
    "Streetlights on the Bagh Mohalla lane have been dark for a year; women avoid the lane after Maghrib.": (
        "باغ محلہ کی گلی کی اسٹریٹ لائٹس ایک سال سے بند ہیں؛ خواتین مغرب کے بعد اس گلی سے نہیں گزرتیں۔",
        "د باغ محلې په کوڅه کې څراغونه یو کال راهیسې مړه دي؛ ښځې له ماښام وروسته له دې کوڅې نه تېرېږي۔",
    ),
    "Mobile phones snatched near Gulabad Chowk after Isha.": (
        "عشاء کے بعد گل آباد چوک کے قریب موبائل فون چھینے جاتے ہیں۔",
        "د ماخستن وروسته د ګل اباد چوک ته نږدې موبایلونه په زوره اخیستل کېږي۔",
    ),
    "Girls are harassed near the school gate at closing time.": (
        "چھٹی کے وقت اسکول کے گیٹ کے قریب لڑکیوں کو ہراساں کیا جاتا ہے۔",
        "د چھٹۍ پر وخت د ښوونځي دروازې ته نږدې نجونې ځورول کېږي۔",
    ),
    "Young people have nowhere to play; they gather at the bus stand at night.": (
        "نوجوانوں کے پاس کھیلنے کی کوئی جگہ نہیں؛ وہ رات کو بس اسٹینڈ پر جمع ہوتے ہیں۔",
        "ځوانان د لوبو ځای نه لري؛ د شپې د بس په اډه کې راټولېږي۔",
    ),
    "Blocked drains flood the street in the rain.": (
        "بند نالیوں کی وجہ سے بارش میں گلی پانی سے بھر جاتی ہے۔",
        "بندې ویالې په باران کې کوڅه له اوبو ډکوي۔",
    ),
    # actions
    "TMA to install new streetlights on the Bagh Mohalla lane": (
        "ٹی ایم اے باغ محلہ کی گلی میں نئی اسٹریٹ لائٹس لگائے گی",
        "ټي اېم اې به د باغ محلې په کوڅه کې نوي څراغونه ولګوي",
    ),
    "PESCO to restore the feeder that powers the lane's lights": (
        "پیسکو گلی کی روشنیوں کو بجلی دینے والا فیڈر بحال کرے گی",
        "پیسکو به هغه فیډر بېرته جوړ کړي چې د کوڅې څراغونو ته بریښنا ورکوي",
    ),
    "Evening foot patrol at Gulabad Chowk, 19:00 to 22:00": (
        "گل آباد چوک پر شام کا پیدل گشت، 19:00 سے 22:00 تک",
        "د ګل اباد په چوک کې د ماښام پلی ګزمه، له 19:00 څخه تر 22:00 پورې",
    ),
    "A woman officer at the girls' school gate at closing time, twice a week": (
        "ہفتے میں دو بار چھٹی کے وقت لڑکیوں کے اسکول کے گیٹ پر ایک خاتون افسر",
        "په اونۍ کې دوه ځله د چھٹۍ پر وخت د نجونو د ښوونځي پر دروازه یوه ښځینه افسره",
    ),
    "Committee to ask the school for its ground for evening cricket": (
        "کمیٹی اسکول سے شام کی کرکٹ کے لیے اس کا میدان مانگے گی",
        "کمېټه به له ښوونځي څخه د ماښام د کرکټ لپاره د هغه لوبغالی وغواړي",
    ),
    "Clean the drains of the main street": ("مرکزی سڑک کی نالیاں صاف کرنا", "د اصلي سړک ویالې پاکول"),
    # outcomes
    "14 new LED streetlights installed on the Bagh Mohalla lane; the committee checks them.": (
        "باغ محلہ کی گلی میں 14 نئی ایل ای ڈی اسٹریٹ لائٹس لگ گئیں؛ کمیٹی ان کی نگرانی کرتی ہے۔",
        "د باغ محلې په کوڅه کې 14 نوي ایل ای ډي څراغونه ولګول شول؛ کمېټه یې څاري۔",
    ),
    "Feeder repaired; the lights now stay on all night.": (
        "فیڈر ٹھیک ہو گیا؛ اب روشنیاں ساری رات جلتی ہیں۔",
        "فیډر جوړ شو؛ اوس څراغونه ټوله شپه بل وي۔",
    ),
    "Foot patrol every evening since; shopkeepers report no snatching in the last six weeks.": (
        "تب سے ہر شام پیدل گشت ہوتا ہے؛ دکانداروں کے مطابق پچھلے چھ ہفتوں میں کوئی فون نہیں چھینا گیا۔",
        "له هغه راهیسې هر ماښام پلی ګزمه کېږي؛ د دوکاندارانو په وینا په تېرو شپږو اونیو کې هېڅ"
        " موبایل نه دی اخیستل شوی۔",
    ),
}


def add_versions(district: District) -> None:
    """The Urdu and Pashto versions of the demo's topics, priorities, actions and outcomes."""
    targets: list[tuple[Any, str, dict[str, Any]]] = [
        (Meeting, "title", {"beats__station__district": district}),
        (Priority, "issue", {"beat__station__district": district}),
        (ActionItem, "action", {"priority__beat__station__district": district}),
        (ActionItem, "outcome", {"priority__beat__station__district": district}),
    ]
    for model, field, scope in targets:
        for obj in model.objects.filter(**scope, **{f"{field}__in": list(VERSIONS)}).distinct():
            urdu, pashto = VERSIONS[getattr(obj, field)]
            setattr(obj, f"{field}_ur", urdu)
            setattr(obj, f"{field}_ps", pashto)
            obj.save(update_fields=[f"{field}_ur", f"{field}_ps"])
