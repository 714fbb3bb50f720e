"""Turn a branch's records and ledger into the scoring engine's `MemberFacts`, in a fixed number of
queries however many members the branch has (one per kind of record)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Q

from branches.services import committee_of
from members.models import Category, Exemption, ExemptionState, Member, MemberStatus

from ..models import (
    EntryType,
    PointEntry,
    SchemeConfig,
)
from ..scoring import (
    GUIDELINE_SCHEME,
    Bonus,
    Deduction,
    Judgment,
    MemberFacts,
    MemberScore,
    Scheme,
    ScoringError,
    score_many,
    score_provisional,
)
from ..scoring import Dues as DuesFacts
from .counts import NO_COUNTS, member_counts

NO_JUDGMENT = "支委会未作扣分评定，按满分计"
FEW_MEMBERS = 20  # up to this many members asked for, records are read by member id


def scheme_for(branch, year: int) -> Scheme:
    """The branch's own 实施细则 if it has one for `year`, else its committee's, else the guideline."""
    committee = committee_of(branch)
    configs = SchemeConfig.objects.filter(
        organization__in=[branch, committee], applies_from__lte=year
    ).order_by("-applies_from")
    by_org = {}
    for config in configs:
        by_org.setdefault(config.organization_id, config)
    config = by_org.get(branch.pk) or by_org.get(committee.pk)
    return Scheme.from_dict(config.data) if config else GUIDELINE_SCHEME


def _months_required(member, year: int, upto_quarter: int) -> int:
    """Months of dues owed in the period: activists pay none; members from the month they joined."""
    if member.category == Category.ACTIVIST:
        return 0
    months = upto_quarter * 3
    joined = member.probation_start or member.join_date
    if joined and joined.year == year:
        months = max(0, months - (joined.month - 1))
    return months


class ScoringMember(NamedTuple):
    """What scoring needs of a member, as a plain tuple: a committee's roll-up reads thousands."""

    pk: int
    code: str
    branch_id: int
    category: str
    join_date: datetime.date | None
    probation_start: datetime.date | None


def scoring_members(branch_ids) -> list[ScoringMember]:
    """The active members of the branches, in code order, as `ScoringMember`s."""
    rows = (
        Member.objects.filter(branch_id__in=list(branch_ids), status=MemberStatus.ACTIVE)
        .order_by("code")
        .values_list("id", "code", "branch_id", "category", "join_date", "probation_start")
    )
    return [ScoringMember(*row) for row in rows]


def branch_members(branch) -> list[Member]:
    return list(Member.objects.filter(branch=branch, status=MemberStatus.ACTIVE).order_by("code"))


@dataclass
class BranchFacts:
    scheme: Scheme
    members: list[Member]
    facts: dict[int, MemberFacts]


def schemes_for(branches, year: int) -> dict[int, Scheme]:
    """`scheme_for` of many branches in two queries (the committees, then every stored scheme)."""
    committees = {b.pk: int(b.path.strip("/").split("/")[0]) for b in branches}
    configs = SchemeConfig.objects.filter(
        organization_id__in={*committees, *committees.values()}, applies_from__lte=year
    ).order_by("-applies_from")
    latest: dict[int, Scheme] = {}
    for config in configs:
        if config.organization_id not in latest:
            latest[config.organization_id] = Scheme.from_dict(config.data)
    return {b.pk: latest.get(b.pk) or latest.get(committees[b.pk]) or GUIDELINE_SCHEME for b in branches}


def branch_facts(
    branch, year: int, *, upto_quarter: int = 4, members: list[Member] | None = None, judgment_default=True
) -> dict[int, MemberFacts]:
    """Facts of every active member of `branch` for `year`, quarters 1..`upto_quarter`."""
    return branches_facts(
        [branch], year, upto_quarter=upto_quarter, members=members, judgment_default=judgment_default
    )[branch.pk].facts


def branches_facts(
    branches, year: int, *, upto_quarter: int = 4, members: list[Member] | None = None, judgment_default=True
) -> dict[int, BranchFacts]:
    """Facts of every active member of the `branches` for `year`, quarters 1..`upto_quarter`, in a fixed
    number of queries however many branches and members (the committee's roll-up uses it whole).

    Judgments not entered by the committee count as full marks (the committee records only where a
    member falls short, with its reason) when `judgment_default` is set.
    """
    # Stays long: a fixed set of queries, each filling its columns of the same rows.
    branches = list(branches)
    branch_ids = [b.pk for b in branches]
    schemes = schemes_for(branches, year)
    given_members = members is not None
    if members is None:
        members = list(
            Member.objects.filter(branch_id__in=branch_ids, status=MemberStatus.ACTIVE)
            .only("id", "code", "name", "branch_id", "category", "join_date", "probation_start")
            .order_by("code")
        )
    ids = {m.pk for m in members}
    # A few members asked for (a member's own page): only their rows. Otherwise filter by branch, not
    # by a list of thousands of member ids, and keep only the members asked for.
    if given_members and len(ids) <= FEW_MEMBERS:
        scope = Q(member_id__in=sorted(ids), member__branch_id__in=branch_ids)
    else:
        scope = Q(member__branch_id__in=branch_ids)
    exempt = set(
        Exemption.objects.filter(scope, year=year, state=ExemptionState.APPROVED).values_list(
            "member_id", flat=True
        )
    )

    counts = member_counts(scope, year, upto_quarter, ids)
    bonuses = defaultdict(list)
    deductions = defaultdict(list)
    judgments: dict[int, dict[str, Judgment]] = defaultdict(dict)
    entries = PointEntry.objects.filter(
        scope, is_current=True, quarter__year=year, quarter__number__lte=upto_quarter
    ).order_by("quarter__number", "created_at", "id")
    for e in entries.values(
        "member_id", "entry_type", "kind", "value", "level", "content_key", "own_duty", "measure", "reason"
    ):
        if e["entry_type"] == EntryType.BONUS:
            bonuses[e["member_id"]].append(
                Bonus(
                    kind=e["kind"],
                    value=None if e["level"] else e["value"],
                    level=e["level"] or None,
                    content_key=e["content_key"],
                    own_duty=e["own_duty"],
                    note=e["reason"],
                )
            )
        elif e["entry_type"] == EntryType.DEDUCTION:
            deductions[e["member_id"]].append(
                Deduction(kind=e["kind"], value=e["value"], measure=e["measure"], note=e["reason"])
            )
        else:
            judgments[e["member_id"]][e["kind"]] = Judgment(value=e["value"], reason=e["reason"])

    result = {b.pk: BranchFacts(scheme=schemes[b.pk], members=[], facts={}) for b in branches}
    # Judgments the committee did not enter count as full marks: one shared (frozen) default per item.
    defaults = {
        b.pk: (
            {
                item.code: Judgment(value=item.cap, reason=NO_JUDGMENT)
                for item in schemes[b.pk].base_items
                if item.method == "judgment"
            }
            if judgment_default
            else {}
        )
        for b in branches
    }
    # Members with the same counts share one (read-only) attendance mapping and dues fact: a committee's
    # ten thousand members have a few hundred distinct ones.
    attendance_of: dict[tuple, dict] = {}
    dues_of: dict[tuple[int, int], DuesFacts] = {}
    for m in members:
        if m.pk not in ids or m.branch_id not in result:
            continue
        entered = judgments.get(m.pk)
        member_judgments = {**defaults[m.branch_id], **entered} if entered else defaults[m.branch_id]
        months = _months_required(m, year, upto_quarter)
        c = counts.get(m.pk, NO_COUNTS)
        attendance = attendance_of.get(c[0:8])
        if attendance is None:
            attendance = attendance_of[c[0:8]] = c.attendance()
        on_time = min(c.dues_on_time, months)
        dues = dues_of.get((on_time, months))
        if dues is None:
            dues = dues_of[on_time, months] = DuesFacts(months_on_time=on_time, months_required=months)
        result[m.branch_id].members.append(m)
        result[m.branch_id].facts[m.pk] = MemberFacts(
            member_id=m.pk,
            category=m.category,
            exempt=m.pk in exempt,
            study_hours=c.study_hours,
            attendance=attendance,
            dues=dues,
            thought_reports=c.thought_reports,
            judgments=member_judgments,
            bonuses=tuple(bonuses.get(m.pk, ())),
            deductions=tuple(deductions.get(m.pk, ())),
        )
    return result


@dataclass
class BranchScores:
    """A branch's year-to-date scores with the scheme that produced them (one facts pass)."""

    scheme: Scheme
    members: list[Member]
    facts: dict[int, MemberFacts]
    scores: dict[int, MemberScore]


def provisional_scores(
    branch, year: int, upto_quarter: int, *, members: list[Member] | None = None
) -> BranchScores:
    """Year-to-date (暂计) scores of the branch's members, as the review list, the assembly, the publicity
    notice and a member's page show them."""
    bundle = branches_facts([branch], year, upto_quarter=upto_quarter, members=members)[branch.pk]
    batch = score_many(bundle.scheme, [bundle.facts[m.pk] for m in bundle.members], provisional=True)
    scores = {m.pk: score for m, score in zip(bundle.members, batch, strict=True)}
    return BranchScores(bundle.scheme, bundle.members, bundle.facts, scores)


def member_score(
    member: Member, year: int, upto_quarter: int, *, branch=None
) -> tuple[Scheme, MemberFacts, MemberScore]:
    """One member's scheme, facts and year-to-date score, from a facts pass over this member alone (a
    member no longer active too). `branch` saves a query when the caller has the member's branch."""
    branch = branch if branch is not None else member.branch
    bundle = branches_facts([branch], year, upto_quarter=upto_quarter, members=[member])[branch.pk]
    facts = bundle.facts[member.pk]
    return bundle.scheme, facts, score_provisional(bundle.scheme, facts)


def score_outcomes(scheme: Scheme, facts: list[MemberFacts]) -> dict:
    """Member id -> provisional score, or the engine's refusal of that member's facts: one batch
    (`score_many`), and one by one only when someone is refused, so a refusal stays with its member."""
    try:
        return {
            f.member_id: score
            for f, score in zip(facts, score_many(scheme, facts, provisional=True), strict=True)
        }
    except ScoringError:
        pass
    outcomes: dict = {}
    for f in facts:
        try:
            outcomes[f.member_id] = score_provisional(scheme, f)
        except ScoringError as exc:
            outcomes[f.member_id] = exc
    return outcomes
