"""What waits for each role on the home page. Later workflow steps add their own queues here."""

from dataclasses import dataclass

from django.urls import reverse

from members.models import Exemption, ExemptionState

from .access import Actor, path_q


@dataclass(frozen=True)
class WaitingItem:
    title: str
    count: int
    url: str


def waiting_items(user, actor: Actor) -> list[WaitingItem]:
    items: list[WaitingItem] = []
    if actor.manage_paths:
        pending = Exemption.objects.filter(
            path_q(actor.manage_paths, "member__branch__path"),
            state__in=[
                ExemptionState.APPLIED,
                ExemptionState.REVIEWED,
                ExemptionState.PASSED,
                ExemptionState.IN_PUBLICITY,
            ],
        ).count()
        if pending:
            items.append(WaitingItem("待办理的免于积分管理申请", pending, reverse("members:exemptions")))
    items += _records_items(actor)
    return items


# --- daily records (points app): the recorder's sessions still without attendance -------------------


def _records_items(actor: Actor) -> list[WaitingItem]:
    if not actor.recorder_paths:
        return []
    from points.selectors.records import sessions_without_attendance

    count = sessions_without_attendance(actor.recorder_paths).count()
    if not count:
        return []
    branch_id = next(p.org_id for p in actor.posts if p.org_path == actor.recorder_paths[0])
    return [WaitingItem("近30天未登记出勤的活动", count, reverse("points:sessions", args=[branch_id]))]
