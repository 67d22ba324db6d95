"""Indicator rollups: the sums every dashboard, public page and open-data file reads.

A Measure is one number about one place and one period: (scope, period, start, metric, group) -> (n, value).
What n and value mean depends on the metric's kind (rabta.insights.metrics): a count, successes out of n,
a sum of n answers, a median of n values, or the latest day. Pages never read raw reports, contacts or
answers; the periodic refresh (rabta.insights.rollup) rewrites the rows of the periods that changed.

`station_id` and `district_id` are copied onto every row below them so a district's beats are one range
read, not a list of 2,000 ids.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    BEAT = "beat", _("beat")
    STATION = "station", _("police station")
    DISTRICT = "district", _("district")
    PROVINCE = "province", _("province")


class PeriodKind(models.TextChoices):
    WEEK = "week", _("week")
    MONTH = "month", _("month")


class Measure(models.Model):
    scope = models.CharField(max_length=8, choices=Scope.choices)
    scope_id = models.PositiveIntegerField()  # 0 for the province
    station_id = models.PositiveIntegerField(null=True)
    district_id = models.PositiveIntegerField(null=True)
    period = models.CharField(max_length=5, choices=PeriodKind.choices)
    start = models.DateField()
    metric = models.CharField(max_length=24)
    group = models.CharField(max_length=16, blank=True, default="")
    n = models.PositiveIntegerField()
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "period", "start", "metric", "group"], name="measure_unique"
            )
        ]
        indexes = [
            models.Index(fields=["period", "start", "scope", "district_id"], name="measure_period_scope"),
            models.Index(fields=["period", "metric", "start", "scope"], name="measure_metric"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id} {self.period} {self.start} {self.metric}[{self.group}]"


class Population(models.Model):
    """Residents of a place by group, summed from its beats at each refresh."""

    scope = models.CharField(max_length=8, choices=Scope.choices)
    scope_id = models.PositiveIntegerField()
    group = models.CharField(max_length=16, blank=True, default="")
    n = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "scope_id", "group"], name="population_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id} [{self.group}] {self.n}"


class HexCount(models.Model):
    """Reports per H3 cell, month and police station, at the resolutions the density maps draw."""

    resolution = models.PositiveSmallIntegerField()
    cell = models.CharField(max_length=16)
    month = models.DateField()
    district_id = models.PositiveIntegerField()
    station_id = models.PositiveIntegerField(default=0)
    n = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "cell", "month", "district_id", "station_id"], name="hexcount_unique_v2"
            )
        ]
        indexes = [
            models.Index(fields=["resolution", "district_id", "month"], name="hexcount_district"),
            models.Index(fields=["resolution", "station_id", "month"], name="hexcount_station"),
        ]

    def __str__(self) -> str:
        return f"{self.cell}@{self.resolution} {self.month}: {self.n}"


class RefreshState(models.Model):
    """When the rollups were last brought up to date (one row)."""

    refreshed_at = models.DateTimeField(null=True)
    full_rebuild_at = models.DateTimeField(null=True)
    periods_refreshed = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"rollups refreshed at {self.refreshed_at}"


class PublicHidden(models.Model):
    """The cells of one place's public figures hidden in one period (primary and secondary suppression,
    decided for its whole district by rabta.insights.public.decide), kept with the version of the rows
    they were decided on. Worked out after each refresh for the published periods, so a public page only
    reads its own place's few rows."""

    district_id = models.PositiveIntegerField()
    scope = models.CharField(max_length=8, choices=Scope.choices)
    scope_id = models.PositiveIntegerField()
    period = models.CharField(max_length=5, choices=PeriodKind.choices)
    start = models.DateField()
    version = models.CharField(max_length=64)
    cells = models.JSONField(default=list)  # [[metric, group], ...]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "period", "start"], name="publichidden_unique"
            )
        ]
        indexes = [models.Index(fields=["district_id", "period", "start"], name="publichidden_district")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id} {self.period} {self.start}: {len(self.cells)} hidden"
