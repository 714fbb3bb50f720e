"""完成情况: per branch, how its study went in a year — sessions held and held on time, attendance,
complete records, inspection ratings. It feeds the party-building assessment and the xlsx export.

A fixed number of queries however many branches or sessions there are (one per kind of row).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from branches.access import actor_for, path_q
from branches.models import BRANCH_KINDS, Organization

from ..models import (
    Arrangement,
    ArrangementState,
    DiscussionEntry,
    Inspection,
    InspectionKind,
    NoticeState,
    Rating,
    RescheduleNotice,
    StudyRecord,
    StudySession,
)
from .arrangements import with_content
from .hours import ATTENDED
from .scopes import completion_paths


@dataclass
class CompletionRow:
    branch: Organization
    expected: int = 0
    held: int = 0
    on_time: int = 0
    required: int = 0
    attended: int = 0
    records_complete: int = 0
    periodic: list[str] = field(default_factory=list)
    spot: list[str] = field(default_factory=list)
    open_fixes: int = 0

    @property
    def attendance_rate(self) -> Decimal | None:
        """出勤率 in percent, one decimal; None when no attendance was recorded."""
        if not self.required:
            return None
        return (Decimal(self.attended) * 100 / self.required).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def periodic_text(self) -> str:
        return "、".join(self.periodic)

    @property
    def spot_text(self) -> str:
        return "、".join(self.spot)


def _local_date(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value).date()


def completion_table(user, year: int, *, now: datetime.datetime | None = None) -> list[CompletionRow]:
    # Stays long: a fixed set of queries, each filling its columns of the same rows.
    now = now or timezone.now()
    paths = completion_paths(actor_for(user))
    branches = list(
        Organization.objects.filter(path_q(paths), kind__in=BRANCH_KINDS)
        .select_related("parent")
        .order_by("path")
    )
    rows = {b.pk: CompletionRow(branch=b) for b in branches}
    if not rows:
        return []
    committee_ids = {int(b.path.strip("/").split("/")[0]) for b in branches}

    arrangements = list(
        with_content(
            Arrangement.objects.filter(
                committee_id__in=committee_ids, state=ArrangementState.PUBLISHED, issued_on__year=year
            )
        )
    )
    # Which scheduled date each arrangement expects of a branch (schedule rows whose organizers cover it).
    expected_dates: dict[tuple[int, int], set[datetime.date]] = defaultdict(set)
    for arrangement in arrangements:
        for branch in branches:
            if int(branch.path.strip("/").split("/")[0]) != arrangement.committee_id:
                continue
            for row in arrangement.schedule.all():
                units = list(row.organizers.all())
                if not units or any(branch.path.startswith(u.path) for u in units):
                    expected_dates[(arrangement.pk, branch.pk)].add(row.date)
            if (arrangement.pk, branch.pk) in expected_dates:
                rows[branch.pk].expected += 1

    sessions = (
        StudySession.objects.filter(
            path_q(paths, "session__branch__path"),
            arrangement__in=[a.pk for a in arrangements],
            session__is_cancelled=False,
        )
        .annotate(
            required=Count("session__attendances", filter=Q(session__attendances__is_current=True)),
            attended=Count(
                "session__attendances",
                filter=Q(session__attendances__is_current=True, session__attendances__status__in=ATTENDED),
            ),
            has_record=Exists(StudyRecord.objects.filter(study_session=OuterRef("pk")).exclude(content="")),
            has_discussion=Exists(DiscussionEntry.objects.filter(record__study_session=OuterRef("pk"))),
            moved_by_notice=Exists(
                RescheduleNotice.objects.filter(study_session=OuterRef("pk"), state=NoticeState.ACCEPTED)
            ),
        )
        .values(
            "arrangement_id",
            "session__branch_id",
            "session__starts_at",
            "required",
            "attended",
            "has_record",
            "has_discussion",
            "moved_by_notice",
        )
    )
    for s in sessions:
        row = rows.get(s["session__branch_id"])
        if row is None or s["session__starts_at"] > now:
            continue
        row.held += 1
        dates = expected_dates.get((s["arrangement_id"], s["session__branch_id"]), set())
        if s["moved_by_notice"] or _local_date(s["session__starts_at"]) in dates:
            row.on_time += 1
        row.required += s["required"]
        row.attended += s["attended"]
        if s["has_record"] and s["has_discussion"] and s["required"]:
            row.records_complete += 1

    labels = dict(Rating.choices)
    inspections = (
        Inspection.objects.filter(path_q(paths, "branch__path"), inspected_on__year=year)
        .order_by("inspected_on", "id")
        .values("branch_id", "kind", "rating", "fix_required", "responded_at")
    )
    for i in inspections:
        row = rows.get(i["branch_id"])
        if row is None:
            continue
        (row.periodic if i["kind"] == InspectionKind.PERIODIC else row.spot).append(labels[i["rating"]])
        if i["fix_required"] and i["responded_at"] is None:
            row.open_fixes += 1
    return list(rows.values())
