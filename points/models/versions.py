"""Versions of the data behind a branch's scores, per month, for the score cache (points/selectors/cached.py)."""

from django.db import models

# The branch every branch's cache key also includes: schemes and the organization tree touch every branch.
EVERY_BRANCH = 0
# Periods (migration points/0010): ANY is bumped with every write to the branch; UNDATED by the roster
# and rows without a date; year * 100 by a whole year's rows (exemptions); year * 100 + month by the rows
# dated in that month.
ANY = -1
UNDATED = 0


def year_period(year: int) -> int:
    return year * 100


def month_period(year: int, month: int) -> int:
    return year * 100 + month


class DataVersion(models.Model):
    """数据版本: bumped by database triggers (migration 0010) in the same transaction as any insert, update
    or delete of a row that feeds a branch's scores or warnings, whoever writes it (services, admin,
    imports, raw SQL): the row of each month the written rows are dated in, and the branch's ANY row.
    Never written by Python code."""

    branch_id = models.BigIntegerField()  # EVERY_BRANCH, or an Organization's id
    period = models.IntegerField()  # ANY, UNDATED, a year's or a month's period
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "数据版本"
        verbose_name_plural = "数据版本"
        constraints = [
            models.UniqueConstraint(fields=("branch_id", "period"), name="points_dataversion_branch_period")
        ]

    def __str__(self) -> str:
        return f"{self.branch_id}/{self.period}: {self.version}"
