"""A per-branch version of the data behind its scores, for the score cache (points/selectors/cached.py)."""

from django.db import models

# The row every branch's cache key also includes: schemes and the organization tree touch every branch.
EVERY_BRANCH = 0


class BranchVersion(models.Model):
    """数据版本: bumped by database triggers (migration 0004) in the same transaction as any insert,
    update or delete of a row that feeds a branch's scores or warnings, whoever writes it (services,
    admin, imports, raw SQL). Never written by Python code."""

    branch_id = models.BigIntegerField(primary_key=True)  # EVERY_BRANCH, or an Organization's id
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "数据版本"
        verbose_name_plural = "数据版本"

    def __str__(self) -> str:
        return f"{self.branch_id}: {self.version}"
