"""计算年度积分 and 审核备案 (clause 四.6): the annual roll-up and its filing.

The roll-up is set-based: one set of aggregate queries for all the branches asked for, the engine in
memory, and the results written with `bulk_create`, so rolling up a whole committee costs about the same
per member as rolling up one branch.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from members.models import Member

from ...locks import TRANSITIONS, take_locks
from ...models import AnnualFiling, AnnualResult, FilingState, Quarter, QuarterState, Transition
from ...models.workflow import stored_line
from ...scoring import ScoringError, assess_branch, score_many
from ...selectors.facts import branches_facts, scoring_members
from ._steps import _deny, _move, _require


def _previous_bottom(branch_ids, year: int, schemes) -> dict[int, set[int]]:
    """Members below the low threshold and near the bottom last year, per branch (the two-year rule)."""
    bottom: dict[int, set[int]] = defaultdict(set)
    rows = AnnualResult.objects.filter(
        filing__branch_id__in=branch_ids, filing__year=year - 1, near_bottom=True, total__isnull=False
    ).values_list("filing__branch_id", "member_id", "total")
    for branch_id, member_id, total in rows:
        if total < schemes[branch_id].thresholds.low_below:
            bottom[branch_id].add(member_id)
    return bottom


RESULT_BATCH = 1000  # results per INSERT


def _result(filing_id: int, r) -> AnnualResult:
    """One member's AnnualResult from the engine's assessed result."""
    score = r.score
    return AnnualResult(
        filing_id=filing_id,
        member_id=r.member_id,
        rank=r.rank,
        near_bottom=r.near_bottom,
        category=score.category,
        exempt=score.exempt,
        base_items={line.code: str(line.points) for line in score.lines if line.section == "base"},
        base=score.base,
        bonus=score.bonus,
        deductions=score.deductions,
        total=score.total,
        results=list(r.results),
        lines=[stored_line(line) for line in (*score.lines, *r.lines)],
    )


@transaction.atomic
def annual_roll_up_many(*, branches, year: int, actor) -> list[AnnualFiling]:
    """计算年度积分 for several branches at once: the branch's secretary for their own branch, or the higher
    organization for its branches. Every branch must have its four quarters closed; a branch already
    submitted or filed is refused, and then nothing is written for any branch."""
    take_locks(TRANSITIONS)
    return _roll_up_many(list(branches), year, actor)


def _roll_up_many(branches: list, year: int, actor) -> list[AnnualFiling]:
    for branch in branches:
        if not (actor.has_perm("points.manage_quarter", branch) or actor.has_perm("points.oversee", branch)):
            _deny(f"您无权汇总{branch.name}的年度积分。")
    ids = [b.pk for b in branches]
    closed = dict(
        Quarter.objects.filter(branch_id__in=ids, year=year)
        .values("branch_id")
        .annotate(n=Count("id", filter=Q(state=QuarterState.CLOSED)))
        .values_list("branch_id", "n")
    )
    for branch in branches:
        if closed.get(branch.pk, 0) < 4:
            raise ValidationError(
                f"{branch.name}{year}年度还有 {4 - closed.get(branch.pk, 0)} 个季度未完成公示，不能汇总年度积分。"
            )
    filings = {
        # Without their schemes (~3 KB of JSON each), which the roll-up replaces: each is given the one
        # it is rolled up with below.
        f.branch_id: f
        for f in AnnualFiling.objects.select_for_update().filter(branch_id__in=ids, year=year).defer("scheme")
    }
    for branch in branches:
        filing = filings.get(branch.pk)
        if filing and filing.state not in (FilingState.ROLLED_UP, FilingState.RETURNED):
            raise ValidationError(
                f"{branch.name}{year}年度积分已{filing.get_state_display()}，不能重新汇总。"
            )

    facts = branches_facts(branches, year, members=scoring_members(ids))
    schemes = {pk: bf.scheme for pk, bf in facts.items()}
    previous = _previous_bottom(ids, year, schemes)
    # The branches nearly always share one scheme (`schemes` holds it): each is written out once.
    as_dict = {id(scheme): scheme.to_dict() for scheme in schemes.values()}
    stored = {pk: as_dict[id(scheme)] for pk, scheme in schemes.items()}

    # The roll-up is derived from the ledger; until it is submitted it may be recomputed.
    AnnualResult.objects.filter(filing__in=list(filings.values())).delete()
    try:
        with transaction.atomic():
            new = AnnualFiling.objects.bulk_create(
                AnnualFiling(branch=b, year=year, scheme=stored[b.pk])
                for b in branches
                if b.pk not in filings
            )
    except IntegrityError:  # a branch's first roll-up made meanwhile by another request (filing_unique)
        raise ValidationError(f"{year}年度积分已由他人汇总，请刷新后查看。") from None
    new_ids = {f.pk for f in new}
    transitions = [
        Transition(
            subject_type="filing",
            subject_id=f.pk,
            to_state=FilingState.ROLLED_UP,
            actor=actor,
            reason="汇总年度积分",
        )
        for f in new
    ]
    for filing in new:
        filings[filing.branch_id] = filing
    again = [filings[b.pk] for b in branches if filings[b.pk].pk not in new_ids]
    # Re-rolled filings: one UPDATE per distinct scheme (nearly always one for the whole committee).
    by_scheme: dict[int, tuple[dict, list[int]]] = {}  # id of a stored scheme -> it and its filings
    for filing in again:
        scheme = stored[filing.branch_id]
        by_scheme.setdefault(id(scheme), (scheme, []))[1].append(filing.pk)
        transitions.append(
            Transition(
                subject_type="filing",
                subject_id=filing.pk,
                from_state=filing.state,
                to_state=FilingState.ROLLED_UP,
                actor=actor,
                reason="重新汇总年度积分",
            )
        )
        filing.state = FilingState.ROLLED_UP
        filing.scheme = scheme
    for scheme, ids_ in by_scheme.values():
        # A filing rolled up again under the same rules already holds both: not rewritten.
        AnnualFiling.objects.filter(pk__in=ids_).exclude(state=FilingState.ROLLED_UP, scheme=scheme).update(
            state=FilingState.ROLLED_UP, scheme=scheme
        )
    Transition.objects.create_many(transitions)

    results = []
    for branch in branches:
        bf = facts[branch.pk]
        try:
            scores = score_many(bf.scheme, [bf.facts[m.pk] for m in bf.members])
            assessed = assess_branch(bf.scheme, scores, previous.get(branch.pk, set()))
        except ScoringError as exc:
            raise ValidationError(f"{branch.name}积分计算有误：{exc}") from None
        results.extend(_result(filings[branch.pk].pk, r) for r in assessed)
    AnnualResult.objects.bulk_create(results, batch_size=RESULT_BATCH)
    return [filings[b.pk] for b in branches]


def annual_roll_up(*, branch, year: int, actor) -> AnnualFiling:
    """计算年度积分 of one branch: sum the four quarters, score, rank and attach clause 五's results."""
    if not actor.has_perm("points.manage_quarter", branch):
        _deny("只有支部书记或副书记可以汇总年度积分。")
    return annual_roll_up_many(branches=[branch], year=year, actor=actor)[0]


def _changed_since_roll_up(filing: AnnualFiling) -> list[str]:
    """Names of the members whose total from today's records differs from the rolled-up one (or who
    joined or left the roll-up): what would make the reported result disagree with the records."""
    bf = branches_facts([filing.branch], filing.year, members=scoring_members([filing.branch_id]))[
        filing.branch_id
    ]
    try:
        scores = score_many(bf.scheme, [bf.facts[m.pk] for m in bf.members])
    except ScoringError as exc:
        raise ValidationError(f"{filing.branch.name}积分计算有误：{exc}") from None
    fresh = {m.pk: s.total for m, s in zip(bf.members, scores, strict=True)}
    stored = dict(filing.results.values_list("member_id", "total"))
    changed = [pk for pk in fresh.keys() | stored.keys() if fresh.get(pk, "-") != stored.get(pk, "-")]
    names = dict(Member.objects.filter(pk__in=changed).order_by("code").values_list("pk", "name"))
    return list(names.values())


@transaction.atomic
def filing_submit(*, filing: AnnualFiling, actor) -> AnnualFiling:
    """报上级党组织: only a roll-up that still agrees with the records (services/filed.py locks them)."""
    take_locks(TRANSITIONS)
    _require(actor, "points.manage_quarter", filing.branch, "只有支部书记或副书记可以报送年度积分。")
    changed = _changed_since_roll_up(filing)
    if changed:
        shown = "、".join(changed[:5]) + (f"等 {len(changed)} 人" if len(changed) > 5 else "")
        raise ValidationError(
            f"汇总后该年度的记录有变动（{shown}的年度积分与汇总结果不一致），请先重新汇总，核对无误后再上报。"
        )
    return _move(
        AnnualFiling,
        filing,
        from_states=[FilingState.ROLLED_UP, FilingState.RETURNED],
        to_state=FilingState.SUBMITTED,
        actor=actor,
        reason="报上级党组织审核备案",
        subject_type="filing",
    )


@transaction.atomic
def filing_review(*, filing: AnnualFiling, actor, approve: bool, remarks: str = "") -> AnnualFiling:
    take_locks(TRANSITIONS)
    _require(actor, "points.oversee", filing.branch, "只有上级党组织可以审核备案。")
    if not approve and not remarks.strip():
        raise ValidationError("退回须写明审核意见。")
    to_state = FilingState.FILED if approve else FilingState.RETURNED
    return _move(
        AnnualFiling,
        filing,
        from_states=FilingState.SUBMITTED,
        to_state=to_state,
        actor=actor,
        reason=remarks or "审核备案",
        subject_type="filing",
        remarks=remarks,
    )


@transaction.atomic
def filing_reopen(*, filing: AnnualFiling, actor, reason: str) -> AnnualFiling:
    """退回 of a filed year: the higher organization withdraws its filing so the branch can correct the
    year's records (services/filed.py) and report it again; the only way back, logged with its reason in
    the transition chain."""
    take_locks(TRANSITIONS)
    _require(actor, "points.oversee", filing.branch, "只有上级党组织可以退回已备案的年度积分。")
    reason = reason.strip()
    if not reason:
        raise ValidationError("退回已备案的年度积分须写明理由。")
    return _move(
        AnnualFiling,
        filing,
        from_states=FilingState.FILED,
        to_state=FilingState.RETURNED,
        actor=actor,
        reason=f"撤销备案，退回重新办理：{reason}",
        subject_type="filing",
        remarks=reason,
    )
