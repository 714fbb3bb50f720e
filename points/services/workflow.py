"""The quarterly workflow of clause 四, one service per step.

Every step checks the actor's right and the current state, changes state by compare-and-set inside a
transaction (`filter(pk=…, state=old).update(state=new)` must return 1), and writes a Transition row.
A refused step raises ValidationError with a Chinese message and leaves the database as it was.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.access import actor_for
from members.models import Category, Member, MemberStatus

from ..models import (
    AnnualFiling,
    AnnualResult,
    Assembly,
    Declaration,
    DeclarationState,
    EntryType,
    FilingState,
    Objection,
    ObjectionChannel,
    ObjectionState,
    PointEntry,
    Quarter,
    QuarterState,
    Transition,
)
from ..scoring import Bonus, Deduction, Judgment, MemberFacts, ScoringError, assess_branch, score_member
from ..scoring import score_provisional as engine_provisional
from ..selectors.facts import branch_facts, branch_members, scheme_for


def _deny(message: str = "您没有权限进行此操作。"):
    raise ValidationError(message)


def _require(user, perm: str, obj, message: str = "您没有权限进行此操作。") -> None:
    if not user.has_perm(perm, obj):
        _deny(message)


def _log(subject_type: str, subject_id: int, from_state: str, to_state: str, actor, reason: str = "") -> None:
    Transition.objects.create(
        subject_type=subject_type,
        subject_id=subject_id,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        reason=reason[:500],
    )


def _move(
    model,
    obj,
    *,
    field: str = "state",
    from_states,
    to_state: str,
    actor,
    reason: str = "",
    subject_type: str,
    **extra,
):
    """Compare-and-set a state; on a lost race or a wrong state, a clear refusal and no change."""
    from_states = [from_states] if isinstance(from_states, str) else list(from_states)
    updated = model.objects.filter(pk=obj.pk, **{f"{field}__in": from_states}).update(
        **{field: to_state}, **extra
    )
    if updated != 1:
        current = model.objects.get(pk=obj.pk)
        raise ValidationError(
            f"当前状态为“{getattr(current, f'get_{field}_display')()}”，不能进行此操作（可能已被他人处理）。"
        )
    old = getattr(obj, field)
    _log(subject_type, obj.pk, old, to_state, actor, reason)
    obj.refresh_from_db()
    return obj


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """`days` working days (Monday to Friday) after `start`; the publicity period's last day."""
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day


def check_item(
    scheme,
    *,
    entry_type: str,
    kind: str,
    value=None,
    level: str = "",
    own_duty: bool = False,
    measure: str = "",
    reason: str = "",
    content_key: str = "",
) -> Decimal:
    """Let the engine judge one item against the scheme: a bad kind, value or measure is refused with
    the engine's own message naming the rule."""
    if entry_type == EntryType.BONUS:
        facts = MemberFacts(
            member_id=0,
            bonuses=(
                Bonus(
                    kind=kind,
                    value=None if level else value,
                    level=level or None,
                    own_duty=own_duty,
                    content_key=content_key or ("-" if level else ""),
                ),
            ),
        )
    elif entry_type == EntryType.DEDUCTION:
        facts = MemberFacts(member_id=0, deductions=(Deduction(kind=kind, value=value, measure=measure),))
    elif entry_type == EntryType.JUDGMENT:
        if kind not in {item.code for item in scheme.base_items if item.method == "judgment"}:
            raise ValidationError(f"“{kind}”不是由支委会评定的基础积分项目。")
        facts = MemberFacts(member_id=0, judgments={kind: Judgment(value=value, reason=reason)})
    else:
        raise ValidationError("未知的积分类别。")
    try:
        engine_provisional(scheme, facts)
    except ScoringError as exc:
        raise ValidationError(str(exc)) from None
    if entry_type == EntryType.BONUS and level:
        kind_def = next(k for k in scheme.bonus_kinds if k.code == kind)
        return next(lv.value for lv in kind_def.levels if lv.code == level)
    return Decimal(value)


# --- quarters ------------------------------------------------------------------------------


@transaction.atomic
def quarter_open(*, branch, year: int, number: int, actor, declaration_closes: datetime.date | None = None):
    """开启季度: the secretary opens a quarter for records and declarations."""
    _require(actor, "points.manage_quarter", branch, "只有支部书记或副书记可以开启积分季度。")
    if number not in (1, 2, 3, 4):
        raise ValidationError("季度应为 1 至 4。")
    if not branch.is_branch:
        raise ValidationError("积分管理以党支部为单位。")
    if Quarter.objects.filter(branch=branch, year=year, number=number).exists():
        raise ValidationError(f"{year}年第{number}季度已开启。")
    earlier_open = Quarter.objects.filter(branch=branch).exclude(state=QuarterState.CLOSED).filter(
        year__lt=year
    ) | Quarter.objects.filter(branch=branch, year=year, number__lt=number).exclude(state=QuarterState.CLOSED)
    if earlier_open.exists():
        raise ValidationError("上一季度的积分尚未公示结束，请先完成上一季度。")
    quarter = Quarter(branch=branch, year=year, number=number, declaration_closes=declaration_closes)
    quarter.full_clean()
    quarter.save()
    _log("quarter", quarter.pk, "", QuarterState.OPEN, actor, "开启季度")
    return quarter


@transaction.atomic
def quarter_start_review(*, quarter: Quarter, actor):
    """申报截止、转入支委初评: records of the quarter are locked from now on."""
    _require(actor, "points.manage_quarter", quarter.branch, "只有支部书记或副书记可以启动支委初评。")
    return _move(
        Quarter,
        quarter,
        from_states=QuarterState.OPEN,
        to_state=QuarterState.IN_REVIEW,
        actor=actor,
        reason="申报截止，转入支委初评",
        subject_type="quarter",
    )


# --- declarations (clause 四.2) -----------------------------------------------------------------


def _declaration_fields(quarter, subject, entry_type, kind, value, level, own_duty, content_key):
    if subject.branch_id != quarter.branch_id or subject.status != MemberStatus.ACTIVE:
        raise ValidationError("只能申报或报告本支部在册党员的积分事项。")
    if entry_type not in (EntryType.BONUS, EntryType.DEDUCTION):
        raise ValidationError("申报只能是加分或减分事项。")
    if entry_type == EntryType.DEDUCTION and value is None:
        value = Decimal(5)  # a report of a deduction item names the facts; the committee sets the value
    scheme = scheme_for(quarter.branch, quarter.year)
    measure = scheme.measures[0].code if entry_type == EntryType.DEDUCTION else ""
    return check_item(
        scheme,
        entry_type=entry_type,
        kind=kind,
        value=value,
        level=level,
        own_duty=own_duty,
        measure=measure,
        content_key=content_key,
    )


@transaction.atomic
def declaration_create(
    *,
    quarter: Quarter,
    actor,
    subject: Member,
    entry_type: str,
    kind: str,
    occurred_on: datetime.date,
    description: str,
    value=None,
    level: str = "",
    content_key: str = "",
    own_duty: bool = False,
    evidence=None,
    today=None,
) -> Declaration:
    """党员申报: a member declares an item for themselves or reports one of another member."""
    me = actor_for(actor)
    if me.member_id is None or me.branch_id != quarter.branch_id:
        _deny("只有本支部党员可以申报积分事项。")
    today = today or timezone.localdate()
    if quarter.state != QuarterState.OPEN:
        raise ValidationError(f"{quarter.label}已{quarter.get_state_display()}，申报已截止。")
    if quarter.declaration_closes and today > quarter.declaration_closes:
        raise ValidationError(f"{quarter.label}的申报已于 {quarter.declaration_closes:%Y-%m-%d} 截止。")
    if occurred_on.year != quarter.year or (occurred_on.month - 1) // 3 + 1 != quarter.number:
        raise ValidationError(f"事项发生日期须在{quarter.label}内。")
    if occurred_on > today:
        raise ValidationError("事项发生日期不能晚于今天。")
    value = _declaration_fields(quarter, subject, entry_type, kind, value, level, own_duty, content_key)
    declaration = Declaration(
        quarter=quarter,
        declarant_id=me.member_id,
        subject=subject,
        entry_type=entry_type,
        kind=kind,
        value=value,
        level=level,
        content_key=content_key,
        own_duty=own_duty,
        occurred_on=occurred_on,
        description=description,
        evidence=evidence or "",
    )
    declaration.full_clean()
    declaration.save()
    _log("declaration", declaration.pk, "", DeclarationState.DRAFT, actor, "填写申报")
    return declaration


@transaction.atomic
def declaration_submit(*, declaration: Declaration, actor) -> Declaration:
    if actor_for(actor).member_id != declaration.declarant_id:
        _deny("只能提交本人填写的申报。")
    if declaration.quarter.state != QuarterState.OPEN:
        raise ValidationError("申报已截止。")
    return _move(
        Declaration,
        declaration,
        from_states=DeclarationState.DRAFT,
        to_state=DeclarationState.SUBMITTED,
        actor=actor,
        reason="提交申报",
        subject_type="declaration",
    )


@transaction.atomic
def declaration_withdraw(*, declaration: Declaration, actor) -> None:
    """A draft is the member's own until submitted: withdrawing it marks it rejected by its author."""
    if actor_for(actor).member_id != declaration.declarant_id:
        _deny("只能撤回本人填写的申报。")
    _move(
        Declaration,
        declaration,
        from_states=DeclarationState.DRAFT,
        to_state=DeclarationState.REJECTED,
        actor=actor,
        reason="本人撤回",
        subject_type="declaration",
        review_reason="本人撤回",
    )


# --- committee preliminary review (clause 四.3) -----------------------------------------------


def _in_review(quarter: Quarter, actor) -> None:
    _require(actor, "points.review", quarter.branch, "只有本支部支委会成员可以进行初评。")
    if quarter.state != QuarterState.IN_REVIEW:
        raise ValidationError(f"{quarter.label}当前为“{quarter.get_state_display()}”，不在支委初评阶段。")


@transaction.atomic
def declaration_review(
    *, declaration: Declaration, actor, approve: bool, reason: str = "", value=None, measure: str = ""
) -> Declaration:
    """Approve (optionally at another value within the allowed range) or reject with a reason."""
    quarter = declaration.quarter
    _in_review(quarter, actor)
    reason = reason.strip()
    if not approve:
        if not reason:
            raise ValidationError("不予认定须写明理由。")
        return _move(
            Declaration,
            declaration,
            from_states=DeclarationState.SUBMITTED,
            to_state=DeclarationState.REJECTED,
            actor=actor,
            reason=reason,
            subject_type="declaration",
            review_reason=reason,
            reviewed_by=actor,
        )
    final = declaration.value if value is None else Decimal(value)
    if value is not None and Decimal(value) != declaration.value and not reason:
        raise ValidationError("调整申报分值须写明理由。")
    scheme = scheme_for(quarter.branch, quarter.year)
    if declaration.entry_type == EntryType.DEDUCTION and not measure:
        raise ValidationError("认定减分事项须选择帮教整改方式。")
    final = check_item(
        scheme,
        entry_type=declaration.entry_type,
        kind=declaration.kind,
        value=final,
        level=declaration.level,
        content_key=declaration.content_key,
        own_duty=declaration.own_duty,
        measure=measure,
    )
    _move(
        Declaration,
        declaration,
        from_states=DeclarationState.SUBMITTED,
        to_state=DeclarationState.APPROVED,
        actor=actor,
        reason=reason or "认定",
        subject_type="declaration",
        review_reason=reason,
        reviewed_by=actor,
    )
    PointEntry.objects.create(
        quarter=quarter,
        member=declaration.subject,
        entry_type=declaration.entry_type,
        kind=declaration.kind,
        value=final,
        level=declaration.level,
        content_key=declaration.content_key,
        own_duty=declaration.own_duty,
        measure=measure,
        occurred_on=declaration.occurred_on,
        reason=f"{declaration.description}" + (f"（初评意见：{reason}）" if reason else ""),
        declaration=declaration,
        created_by=actor,
    )
    return declaration


@transaction.atomic
def entry_add(
    *,
    quarter: Quarter,
    member: Member,
    actor,
    entry_type: str,
    kind: str,
    value,
    reason: str,
    measure: str = "",
    level: str = "",
    content_key: str = "",
    own_duty: bool = False,
    occurred_on: datetime.date | None = None,
) -> PointEntry:
    """支委会 enters a deduction, a bonus or a judgment of a base item directly at review."""
    _in_review(quarter, actor)
    if member.branch_id != quarter.branch_id:
        raise ValidationError("只能评定本支部党员。")
    if not reason.strip():
        raise ValidationError("请写明事由与依据。")
    value = check_item(
        scheme_for(quarter.branch, quarter.year),
        entry_type=entry_type,
        kind=kind,
        value=value,
        level=level,
        content_key=content_key,
        own_duty=own_duty,
        measure=measure,
        reason=reason,
    )
    if entry_type == EntryType.JUDGMENT:
        # A new judgment of the same item in the same quarter replaces the earlier one.
        previous = PointEntry.objects.filter(
            quarter=quarter, member=member, entry_type=EntryType.JUDGMENT, kind=kind, is_current=True
        ).first()
        if previous:
            return _correct(previous, value=Decimal(value), reason=reason, actor=actor)
    return PointEntry.objects.create(
        quarter=quarter,
        member=member,
        entry_type=entry_type,
        kind=kind,
        value=Decimal(value),
        measure=measure,
        level=level,
        content_key=content_key,
        own_duty=own_duty,
        occurred_on=occurred_on,
        reason=reason,
        created_by=actor,
    )


def _correct(entry: PointEntry, *, value: Decimal, reason: str, actor) -> PointEntry:
    """The ledger never changes a row: the old entry stops counting and a new one points at it."""
    if PointEntry.objects.filter(pk=entry.pk, is_current=True).update(is_current=False) != 1:
        raise ValidationError("该积分条目已被更正，请刷新后重试。")
    return PointEntry.objects.create(
        quarter=entry.quarter,
        member=entry.member,
        entry_type=entry.entry_type,
        kind=entry.kind,
        value=value,
        level=entry.level,
        content_key=entry.content_key,
        own_duty=entry.own_duty,
        measure=entry.measure,
        occurred_on=entry.occurred_on,
        reason=reason,
        declaration=entry.declaration,
        corrects=entry,
        created_by=actor,
    )


@transaction.atomic
def entry_correct(*, entry: PointEntry, actor, value, reason: str) -> PointEntry:
    """Correct an entry during review (the committee changes its mind) with a reason."""
    _in_review(entry.quarter, actor)
    if not reason.strip():
        raise ValidationError("更正须写明理由。")
    scheme = scheme_for(entry.quarter.branch, entry.quarter.year)
    check_item(
        scheme,
        entry_type=entry.entry_type,
        kind=entry.kind,
        value=value,
        level=entry.level,
        content_key=entry.content_key,
        own_duty=entry.own_duty,
        measure=entry.measure,
        reason=reason,
    )
    return _correct(entry, value=Decimal(value), reason=reason, actor=actor)


# --- assembly (clause 四.4) ---------------------------------------------------------------------


def voting_members(branch) -> list[Member]:
    """有表决权的党员: the branch's active full members."""
    return list(Member.objects.filter(branch=branch, status=MemberStatus.ACTIVE, category=Category.FULL))


def provisional_scores(quarter: Quarter) -> list[dict]:
    """Year-to-date scores up to this quarter, as shown to the committee and the assembly."""
    scheme = scheme_for(quarter.branch, quarter.year)
    members = branch_members(quarter.branch)
    facts = branch_facts(quarter.branch, quarter.year, upto_quarter=quarter.number, members=members)
    rows = []
    for m in members:
        score = engine_provisional(scheme, facts[m.pk])
        rows.append(
            {
                "member_id": m.pk,
                "code": m.code,
                "name": m.name,
                "exempt": score.exempt,
                "total": None if score.total is None else str(score.total),
            }
        )
    return rows


@transaction.atomic
def assembly_record(
    *, quarter: Quarter, actor, held_on: datetime.date, present: list[Member], decision: str
) -> Assembly:
    """党员大会评定: quorate only when more than half of the voting members attend."""
    _require(actor, "points.manage_quarter", quarter.branch, "只有支部书记或副书记可以记录党员大会评定。")
    if quarter.state != QuarterState.IN_REVIEW:
        raise ValidationError(f"{quarter.label}当前为“{quarter.get_state_display()}”，不能召开评定大会。")
    voters = {m.pk for m in voting_members(quarter.branch)}
    present_ids = {m.pk for m in present}
    if not present_ids <= voters:
        raise ValidationError("到会人员中只能选择本支部有表决权的正式党员。")
    if len(present_ids) * 2 <= len(voters):
        raise ValidationError(
            f"有表决权的党员 {len(voters)} 人，到会 {len(present_ids)} 人，未超过半数，不能进行评定。"
        )
    if not decision.strip():
        raise ValidationError("请填写评定结论。")
    if held_on > timezone.localdate():
        raise ValidationError("召开日期不能晚于今天。")
    pending = Declaration.objects.filter(quarter=quarter, state=DeclarationState.SUBMITTED).count()
    if pending:
        raise ValidationError(f"还有 {pending} 项申报未初评，请支委会先完成初评。")
    assembly = Assembly.objects.create(
        quarter=quarter,
        held_on=held_on,
        voting_total=len(voters),
        decision=decision,
        shown_results=provisional_scores(quarter),
        recorded_by=actor,
    )
    assembly.present.set(present_ids)
    # Clause 四.5: objections handled since the last assembly are reported to this one.
    Objection.objects.filter(quarter__branch=quarter.branch, announced_at__isnull=True).exclude(
        state=ObjectionState.SUBMITTED
    ).update(announced_at=assembly)
    _move(
        Quarter,
        quarter,
        from_states=QuarterState.IN_REVIEW,
        to_state=QuarterState.DETERMINED,
        actor=actor,
        reason=f"党员大会评定（到会 {len(present_ids)}/{len(voters)} 人）",
        subject_type="quarter",
    )
    return assembly


# --- publicity, objections, appeals (clause 四.5) --------------------------------------------------


@transaction.atomic
def quarter_publish(*, quarter: Quarter, actor, start: datetime.date | None = None) -> Quarter:
    _require(actor, "points.manage_quarter", quarter.branch, "只有支部书记或副书记可以发布公示。")
    start = start or timezone.localdate()
    end = add_working_days(start, settings.PUBLICITY_WORKING_DAYS)
    return _move(
        Quarter,
        quarter,
        from_states=QuarterState.DETERMINED,
        to_state=QuarterState.PUBLISHED,
        actor=actor,
        reason=f"公示至 {end:%Y-%m-%d}",
        subject_type="quarter",
        publicity_start=start,
        publicity_end=end,
    )


@transaction.atomic
def quarter_close(*, quarter: Quarter, actor, today: datetime.date | None = None) -> Quarter:
    _require(actor, "points.manage_quarter", quarter.branch, "只有支部书记或副书记可以结束公示。")
    today = today or timezone.localdate()
    if quarter.state == QuarterState.PUBLISHED and today <= quarter.publicity_end:
        raise ValidationError(f"公示期至 {quarter.publicity_end:%Y-%m-%d} 结束，期满后才能结束公示。")
    open_objections = quarter.objections.filter(state=ObjectionState.SUBMITTED).count()
    if open_objections:
        raise ValidationError(f"还有 {open_objections} 件异议未处理完毕。")
    return _move(
        Quarter,
        quarter,
        from_states=QuarterState.PUBLISHED,
        to_state=QuarterState.CLOSED,
        actor=actor,
        reason="公示期满",
        subject_type="quarter",
    )


@transaction.atomic
def objection_submit(
    *, quarter: Quarter, actor, channel: str, text: str, today: datetime.date | None = None
) -> Objection:
    """A member objects to their own published result, to the branch or (申诉) to the higher organization."""
    me = actor_for(actor)
    today = today or timezone.localdate()
    if me.member_id is None or me.branch_id != quarter.branch_id:
        _deny("只能对本人所在支部公示的积分提出异议。")
    if quarter.state != QuarterState.PUBLISHED or today > quarter.publicity_end:
        raise ValidationError("只能在公示期内提出异议。")
    if channel not in ObjectionChannel.values:
        raise ValidationError("请选择提出异议的途径。")
    if not text.strip():
        raise ValidationError("请写明异议的内容和理由。")
    objection = Objection(quarter=quarter, member_id=me.member_id, channel=channel, text=text)
    objection.full_clean()
    objection.save()
    _log("objection", objection.pk, "", ObjectionState.SUBMITTED, actor, ObjectionChannel(channel).label)
    return objection


def can_handle_objection(user, objection: Objection) -> bool:
    """Objections go to the branch (secretary/deputy); appeals to the higher organization."""
    perm = "points.manage_quarter" if objection.channel == ObjectionChannel.BRANCH else "points.oversee"
    return user.has_perm(perm, objection.quarter.branch)


@transaction.atomic
def objection_handle(
    *,
    objection: Objection,
    actor,
    upheld: bool,
    findings: str,
    feedback: str,
    correct_entry: PointEntry | None = None,
    new_value=None,
    add_entry: dict | None = None,
) -> Objection:
    """Investigate, record the findings and the feedback; an upheld objection comes with its correction."""
    if not can_handle_objection(actor, objection):
        _deny("您无权处理该异议。")
    if not findings.strip() or not feedback.strip():
        raise ValidationError("请填写核实情况和向党员的反馈。")
    correction = None
    if upheld:
        scheme = scheme_for(objection.quarter.branch, objection.quarter.year)
        if correct_entry is not None:
            if (
                correct_entry.member_id != objection.member_id
                or correct_entry.quarter_id != objection.quarter_id
            ):
                raise ValidationError("只能更正该党员本季度的积分条目。")
            check_item(
                scheme,
                entry_type=correct_entry.entry_type,
                kind=correct_entry.kind,
                value=new_value,
                level=correct_entry.level,
                content_key=correct_entry.content_key,
                own_duty=correct_entry.own_duty,
                measure=correct_entry.measure,
                reason=findings,
            )
            correction = _correct(
                correct_entry, value=Decimal(new_value), reason=f"异议核实更正：{findings}", actor=actor
            )
        elif add_entry:
            check_item(scheme, reason=findings, **add_entry)
            correction = PointEntry.objects.create(
                quarter=objection.quarter,
                member=objection.member,
                reason=f"异议核实补记：{findings}",
                created_by=actor,
                **{**add_entry, "value": Decimal(add_entry["value"])},
            )
        else:
            raise ValidationError("异议成立时须同时更正或补记积分。")
    to_state = ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED
    _move(
        Objection,
        objection,
        from_states=ObjectionState.SUBMITTED,
        to_state=to_state,
        actor=actor,
        reason=findings,
        subject_type="objection",
        findings=findings,
        feedback=feedback,
        handled_by=actor,
        handled_at=timezone.now(),
        correction=correction,
    )
    return objection


# --- annual roll-up and filing (clause 四.6) -------------------------------------------------------


def _previous_bottom(branch, year: int) -> set[int]:
    return set(
        AnnualResult.objects.filter(
            filing__branch=branch,
            filing__year=year - 1,
            near_bottom=True,
            total__lt=scheme_for(branch, year - 1).thresholds.low_below,
        ).values_list("member_id", flat=True)
    )


@transaction.atomic
def annual_roll_up(*, branch, year: int, actor) -> AnnualFiling:
    """计算年度积分: sum the four quarters, score, rank and attach clause 五's results."""
    _require(actor, "points.manage_quarter", branch, "只有支部书记或副书记可以汇总年度积分。")
    closed = Quarter.objects.filter(branch=branch, year=year, state=QuarterState.CLOSED).count()
    if closed < 4:
        raise ValidationError(f"{year}年度还有 {4 - closed} 个季度未完成公示，不能汇总年度积分。")
    filing = AnnualFiling.objects.select_for_update().filter(branch=branch, year=year).first()
    if filing and filing.state not in (FilingState.ROLLED_UP, FilingState.RETURNED):
        raise ValidationError(f"{year}年度积分已{filing.get_state_display()}，不能重新汇总。")
    scheme = scheme_for(branch, year)
    members = branch_members(branch)
    facts = branch_facts(branch, year, members=members)
    try:
        scores = [score_member(scheme, facts[m.pk]) for m in members]
    except ScoringError as exc:
        raise ValidationError(f"积分计算有误：{exc}") from None
    assessed = assess_branch(scheme, scores, _previous_bottom(branch, year))
    if filing is None:
        filing = AnnualFiling.objects.create(branch=branch, year=year, scheme=scheme.to_dict())
        _log("filing", filing.pk, "", FilingState.ROLLED_UP, actor, "汇总年度积分")
    else:
        # The roll-up is derived from the ledger; before submission it may be recomputed.
        filing.results.all().delete()
        old = filing.state
        AnnualFiling.objects.filter(pk=filing.pk).update(state=FilingState.ROLLED_UP, scheme=scheme.to_dict())
        _log("filing", filing.pk, old, FilingState.ROLLED_UP, actor, "重新汇总年度积分")
    by_id = {m.pk: m for m in members}
    AnnualResult.objects.bulk_create(
        AnnualResult(
            filing=filing,
            member=by_id[r.member_id],
            category=r.score.category,
            exempt=r.score.exempt,
            base_items={line.code: str(line.points) for line in r.score.section("base")},
            base=r.score.base,
            bonus=r.score.bonus,
            deductions=r.score.deductions,
            total=r.score.total,
            rank=r.rank,
            near_bottom=r.low_and_bottom or r.near_bottom,
            results=list(r.results),
            lines=[
                [
                    line.section,
                    line.code,
                    line.clause,
                    line.label,
                    None if line.points is None else str(line.points),
                    line.text,
                ]
                for line in (*r.score.lines, *r.lines)
            ],
        )
        for r in assessed
    )
    filing.refresh_from_db()
    return filing


@transaction.atomic
def filing_submit(*, filing: AnnualFiling, actor) -> AnnualFiling:
    _require(actor, "points.manage_quarter", filing.branch, "只有支部书记或副书记可以报送年度积分。")
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
