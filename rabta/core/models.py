from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """A fixed-window counter for rate limits, shared by every process through the database.

    `key` is a keyed hash (see rabta.core.ratelimit): no IP address, phone number or username is
    stored. Rows of past windows are useless and are pruned by the limiter itself.
    """

    key = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratecounter_unique_window")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key[:16]}… {self.window_start:%Y-%m-%d %H:%M} = {self.count}"
