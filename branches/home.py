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
    return items
