"""Names of the languages people speak in the places Rabta serves (for officer and beat pages)."""

from django.utils.translation import gettext_lazy as _

SPOKEN_LANGUAGES = {
    "ps": _("Pashto"),
    "ur": _("Urdu"),
    "en": _("English"),
    "hno": _("Hindko"),
    "khw": _("Khowar"),
    "gju": _("Gujari"),
    "skr": _("Saraiki"),
    "pa": _("Punjabi"),
}
