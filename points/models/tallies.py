"""A closed quarter's countable records per member, stored once so that a year's facts are read from four
rows per member instead of every attendance, dues and report row (the annual roll-up reads a committee's)."""

from django.db import models


class QuarterTally(models.Model):
    """季度记录汇总: what one member's records of one quarter count for the scoring engine, stored when the
    quarter closes (`points.services.tallies.store_quarter_tallies`).

    Derived data, never edited: database triggers (migration 0005) delete a member's tally in the same
    transaction as any insert, update or delete of an attendance, dues or report row of that quarter, or a
    change to a session they attended, whoever writes it. A member without a tally is read from the records
    themselves, so a missing tally costs time and never changes a score."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    # The quarter's bounds as instants (local midnight), for the attendance triggers to compare with a
    # session's start in any time zone.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    org_life_required = models.PositiveIntegerField(default=0)
    org_life_attended = models.PositiveIntegerField(default=0)
    org_life_late = models.PositiveIntegerField(default=0)
    org_life_excused = models.PositiveIntegerField(default=0)
    meetings_required = models.PositiveIntegerField(default=0)
    meetings_attended = models.PositiveIntegerField(default=0)
    meetings_late = models.PositiveIntegerField(default=0)
    meetings_excused = models.PositiveIntegerField(default=0)
    study_hours = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    dues_on_time = models.PositiveIntegerField(default=0)
    thought_reports = models.PositiveIntegerField(default=0)
    stored_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "季度记录汇总"
        verbose_name_plural = "季度记录汇总"
        constraints = [
            models.UniqueConstraint(fields=["member", "year", "quarter"], name="tally_one_per_quarter"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="tally_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}Q{self.quarter}"


# The counts in the order `points.selectors.facts.Counts` holds them.
COUNT_FIELDS = (
    "org_life_required",
    "org_life_attended",
    "org_life_late",
    "org_life_excused",
    "meetings_required",
    "meetings_attended",
    "meetings_late",
    "meetings_excused",
    "study_hours",
    "dues_on_time",
    "thought_reports",
)
