"""Turning place data into words people read, in their language."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rabta.places.models import PoliceStation

WEEKDAYS = {
    1: gettext_lazy("Monday"),
    2: gettext_lazy("Tuesday"),
    3: gettext_lazy("Wednesday"),
    4: gettext_lazy("Thursday"),
    5: gettext_lazy("Friday"),
    6: gettext_lazy("Saturday"),
    7: gettext_lazy("Sunday"),
}


def weekday_span(days: list[int]) -> str:
    """[1,2,3,4,5,6] -> "Monday to Saturday"; [1,3,5] -> "Monday, Wednesday, Friday"."""
    if not days:
        return ""
    if len(days) == 7:
        return _("Every day")
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return _("%(first)s to %(last)s") % {"first": WEEKDAYS[days[0]], "last": WEEKDAYS[days[-1]]}
    return _(", ").join(str(WEEKDAYS[d]) for d in days)


def desk_hours(station: PoliceStation) -> str:
    if not (station.has_womens_desk and station.womens_desk_opens and station.womens_desk_closes):
        return ""
    return _("%(days)s, %(opens)s to %(closes)s") % {
        "days": weekday_span(station.womens_desk_weekdays),
        "opens": station.womens_desk_opens.strftime("%H:%M"),
        "closes": station.womens_desk_closes.strftime("%H:%M"),
    }
