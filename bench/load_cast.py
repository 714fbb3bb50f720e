"""Who the load benchmark's simulated users are and which pages each opens."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from bench.load_seed import BRANCH_CODE_PREFIX


@dataclass
class Cast:
    role: str  # member, recorder, committee
    username: str
    urls: dict[str, str] = field(default_factory=dict)
    review_members: list[str] = field(default_factory=list)


def cast_users(n_users: int) -> list[Cast]:
    """Half the users are members, a quarter recorders, a quarter committee members, each from the bench
    branches (recorders and committee members spread over different branches while there are enough)."""
    from django.urls import reverse
    from django.utils import timezone

    from branches.models import Organization, Position, PositionRole
    from members.models import Member
    from points.models import Quarter, QuarterState, Session

    today = timezone.localdate()
    branches = list(
        Organization.objects.filter(code__startswith=BRANCH_CODE_PREFIX, kind="branch").order_by("code")
    )
    if not branches:
        sys.exit("no bench branches in the database")
    posts = {
        (p.organization_id, p.role): p.member
        for p in Position.objects.filter(organization__in=branches, end_date__isnull=True).select_related(
            "member__user"
        )
    }
    plain = {}
    for m in (
        Member.objects.filter(branch__in=branches, user__isnull=False, positions__isnull=True)
        .select_related("user")
        .order_by("code")
    ):
        plain.setdefault(m.branch_id, []).append(m)
    in_review = {
        q.branch_id: q for q in Quarter.objects.filter(branch__in=branches, state=QuarterState.IN_REVIEW)
    }
    # Today's session (the latest one so far, should --reuse-db run on a later day of the quarter).
    sessions = {
        s.branch_id: s
        for s in Session.objects.filter(branch__in=branches, starts_at__date__lte=today).order_by("starts_at")
    }
    roster = {}
    for pk, branch_id in Member.objects.filter(branch__in=branches).values_list("pk", "branch_id"):
        roster.setdefault(branch_id, []).append(pk)

    cast, counts = [], {"member": 0, "recorder": 0, "committee": 0}
    members_pool = [m for b in branches for m in plain.get(b.pk, [])]
    for i in range(n_users):
        role = ("member", "member", "recorder", "committee")[i % 4]
        k = counts[role]
        counts[role] += 1
        if role == "member":
            m = members_pool[k % len(members_pool)]
            cast.append(
                Cast(
                    role,
                    m.user.username,
                    {
                        "home": reverse("home"),
                        "member page": reverse("members:detail", args=[m.pk]),
                        "year points": reverse("points:member_year", args=[m.pk, today.year]),
                        "my study": reverse("study:mine"),
                    },
                )
            )
        elif role == "recorder":
            branch = branches[k % len(branches)]
            session = sessions[branch.pk]
            cast.append(
                Cast(
                    role,
                    posts[(branch.pk, PositionRole.RECORDER)].user.username,
                    {
                        "home": reverse("home"),
                        "sessions": reverse("points:sessions", args=[branch.pk]) + f"?year={today.year}",
                        "attendance": reverse("points:attendance", args=[session.pk]),
                    },
                )
            )
        else:
            branch = branches[-1 - k % len(branches)]
            quarter = in_review[branch.pk]
            cast.append(
                Cast(
                    role,
                    posts[(branch.pk, PositionRole.COMMITTEE_MEMBER)].user.username,
                    {
                        "home": reverse("home"),
                        "review": reverse("points:review", args=[quarter.pk]),
                    },
                    [reverse("points:review_member", args=[quarter.pk, pk]) for pk in roster[branch.pk]],
                )
            )
    return cast
