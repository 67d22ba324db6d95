"""Who may see which report. Every list, page, API and export starts from `visible_to(user)`."""

from __future__ import annotations

import datetime as dt
from typing import Self, TypeVar, cast

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rabta.core.scoping import is_staff_member
from rabta.people.models import Gender, OfficerProfile, Role, User
from rabta.places.models import Beat
from rabta.reports.deadlines import overdue_q


class Sensitivity(models.TextChoices):
    # Imported by models.py; lives here so the queryset needs no circular import.
    ORDINARY = "ordinary", _("Ordinary")
    WOMENS_DESK = "womens_desk", _("Women's desk")
    CONDUCT = "conduct", _("Complaint about police conduct")


# "A woman officer only" (web or SMS) on a report that goes to the station: only women officers of the
# women's desk read what it says. A conduct complaint goes to the oversight body whatever was ticked.
WOMEN_ONLY_CONTENT = Q(woman_officer_only=True) & ~Q(category__sensitivity=Sensitivity.CONDUCT)

_DESK_CACHE = "_rabta_reads_women_only"


def reads_women_only_content(user: User | AnonymousUser) -> bool:
    """Whether `user` is a woman officer serving on a women's desk: the only readers of what a
    women-only report says (among the reports visible_to lets her see). Cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, _DESK_CACHE, None)
    if cached is None:
        cached = OfficerProfile.objects.filter(
            user_id=user.pk, on_womens_desk=True, gender=Gender.WOMAN, station__has_womens_desk=True
        ).exists()
        setattr(user, _DESK_CACHE, cached)
    return bool(cached)


_R = TypeVar("_R", bound=models.Model)


def _beat_ids(*conditions: Q, **lookups: object) -> list[int]:
    return list(Beat.objects.filter(*conditions, **lookups).order_by("pk").values_list("pk", flat=True))


class ReportQuerySet(models.QuerySet[_R]):
    """Reports, read through `visible_to` or `content_visible_to` (the model is bound in models.py,
    which imports this module)."""

    def visible_to(self, user: User | AnonymousUser) -> Self:
        """Reports `user` may see. Anything else must answer 404.

        kind of report ->  ordinary          | women's desk category      | conduct complaint
                           (not woman-only)  | or "a woman officer only"  |
        ------------------------------------------------------------------------------------------
        beat officer       own beats         | -                          | -
        women's-desk       own beats         | her desk's station, and    | -
          officer                            |   district stations with   |
          (a woman on                        |   no desk of their own     |
          the desk)                          |                            |
        station head       own station       | own station                | -
        district coord.    own district      | -                          | -
        oversight          -                 | -                          | own district (all if unscoped)
        admin              all               | -                          | -
        analyst, resident,
          volunteer, ...   -                 | -                          | -

        Also: nobody ever sees a report that names them as the subject officer, and a report
        with no beat is seen only by the unscoped roles in its column (admin / oversight).
        """
        # Every role in the table is a staff role: anyone else sees nothing.
        if isinstance(user, AnonymousUser) or not is_staff_member(user):
            return self.none()
        # Scopes are resolved to literal lists of category and beat ids first (two or three small
        # queries): `beat_id IN (1, 2)` lets PostgreSQL use the (beat, status) index and the queue
        # order index, where `beat_id IN (SELECT ...) OR ...` and joins to beats and categories kept it
        # on a scan of the whole scope (bench/queues.py).
        kinds = self._category_ids()
        conduct = Q(category_id__in=kinds[Sensitivity.CONDUCT])
        desk_category = Q(category_id__in=kinds[Sensitivity.WOMENS_DESK])
        ordinary_category = Q(category_id__in=kinds[Sensitivity.ORDINARY])
        ordinary = ordinary_category & Q(woman_officer_only=False)
        sensitive = desk_category | (ordinary_category & Q(woman_officer_only=True))
        not_conduct = desk_category | ordinary_category
        role = user.role
        qs = self.exclude(subject_officer_id=user.pk)

        if role == Role.ADMIN:
            return qs.filter(ordinary)
        if role == Role.OVERSIGHT:
            if user.scope_district_id:
                return qs.filter(conduct, beat_id__in=_beat_ids(station__district_id=user.scope_district_id))
            return qs.filter(conduct) if not user.scope_kind else qs.none()
        if role == Role.DISTRICT_COORDINATOR and user.scope_district_id:
            return qs.filter(ordinary, beat_id__in=_beat_ids(station__district_id=user.scope_district_id))
        if role == Role.STATION_HEAD and user.scope_station_id:
            return qs.filter(not_conduct, beat_id__in=_beat_ids(station_id=user.scope_station_id))
        if role in (Role.OFFICER, Role.WOMENS_DESK):
            rows = list(
                OfficerProfile.objects.filter(user_id=user.pk).values_list(
                    "beats",
                    "on_womens_desk",
                    "gender",
                    "station__has_womens_desk",
                    "station_id",
                    "station__district_id",
                )
            )
            mine = {beat for beat, *_rest in rows if beat is not None}
            if user.scope_beat_id:
                mine.add(user.scope_beat_id)
            allowed = ordinary & Q(beat_id__in=sorted(mine))
            if rows and rows[0][1] and rows[0][2] == Gender.WOMAN and rows[0][3]:
                station_id, district_id = rows[0][4], rows[0][5]
                # A station without a desk sends women to a desk elsewhere in the district (as the
                # beat page tells them), so those desks also receive its sensitive reports.
                desk_beats = _beat_ids(
                    Q(station_id=station_id)
                    | Q(station__has_womens_desk=False, station__district_id=district_id)
                )
                allowed |= sensitive & Q(beat_id__in=desk_beats)
            return qs.filter(allowed)
        return qs.none()

    def _category_ids(self) -> dict[str, list[int]]:
        """Category ids by sensitivity (a short list: the categories residents report under)."""
        # Through the field: models.py imports this module, so Category cannot be imported here.
        category = cast(type[models.Model], self.model._meta.get_field("category").related_model)
        found: dict[str, list[int]] = {kind: [] for kind in Sensitivity.values}
        for pk, kind in category._default_manager.order_by("pk").values_list("pk", "sensitivity"):
            found[kind].append(pk)
        return found

    def content_visible_to(self, user: User | AnonymousUser) -> Self:
        """Reports whose content `user` may read: narrative, place, photos, precise location, note
        texts, contact. That is every report visible_to(user), except a women-only report
        (WOMEN_ONLY_CONTENT) for anyone who is not a woman officer of the desk: a male supervisor who
        sees it through visible_to learns only that it exists, its category, status, beat, assignee
        and deadlines. The model's `content_visible_to` applies the same rule to one report."""
        qs = self.visible_to(user)
        return qs if reads_women_only_content(user) else qs.exclude(WOMEN_ONLY_CONTENT)

    def overdue(self, now: dt.datetime | None = None) -> Self:
        """Open reports past a deadline right now: no first contact in time, or not resolved in time
        (the rule in deadlines.py)."""
        return self.filter(overdue_q(now or timezone.now()))
