"""What a member's records count, stored when a quarter closes, so that a year's facts are read from one
row per member instead of every attendance, dues and report row (the annual roll-up reads a committee's)."""

from django.db import models


class QuarterTally(models.Model):
    """季度记录汇总: what one member's records of the year up to and including one quarter count for the
    scoring engine, stored when the quarter closes (`points.services.tallies.store_tallies`).

    Derived data, never edited: database triggers (migration 0005) delete a member's tallies that count a
    record (its quarter's and the later ones) in the same transaction as any insert, update or delete of
    that attendance, dues or report row, or a counted change to a session they attended, whoever writes it.
    What no tally covers is read from the records themselves, so a missing tally costs time and never
    changes a score."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    # The period counted, as instants (local midnight of 1 January and of the day after the quarter), for
    # the attendance triggers to compare with a session's start whatever the database's time zone.
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
