"""Base items (clause 三(一)) from facts: one function per scoring method.

Each returns (half-points, explanation). A computed item is cut down to the half point below, which
integer floor division does exactly.
"""

from decimal import Decimal

from .errors import ScoringError
from .numbers import is_half_multiple, show, show_number, show_quotient, to_decimal

MONTHS_IN_YEAR = 12


def check_count(value: object, field: str, what: str) -> int:
    if type(value) is not int or value < 0:
        raise ScoringError(f"{what}应为不小于 0 的整数，现为 {value!r}", field=field)
    return value


def half_points(value: object, field: str, what: str) -> int:
    if type(value) is int:
        number = value
    else:
        number = value if type(value) is Decimal and value.is_finite() else to_decimal(value)
        if number is None:
            raise ScoringError(f"{what}应为数字，现为 {value!r}", field=field)
        if not is_half_multiple(number):
            raise ScoringError(f"{what}应为 0.5 分的整数倍，现为 {value}", field=field)
    if number < 0:
        raise ScoringError(f"{what}不能为负数，现为 {value}", field=field)
    return int(number * 2)


def _missing(item, what: str, field: str, provisional: bool) -> tuple[int, str]:
    if provisional:
        return 0, f"尚无{what}，暂计 0 分"
    raise ScoringError(f"缺少“{item.label}”（{item.clause}）的{what}", field=field)


def _study(item, cap, ratio, cap_text, target_text, facts, provisional):
    hours = facts.study_hours
    if hours is None:
        return _missing(item, "学习学时记录", "study_hours", provisional)
    number = hours if type(hours) is Decimal and hours.is_finite() else to_decimal(hours)
    if number is None or number < 0:
        raise ScoringError(f"集中学习学时应为不小于 0 的数，现为 {hours!r}", field="study_hours")
    num, den = number.as_integer_ratio()
    target_num, target_den = ratio
    hours_text = show_number(number)
    if num * target_den >= target_num * den:
        return cap, f"全年集中学习 {hours_text} 学时，达到 {target_text} 学时 → 满分 {cap_text} 分"
    numerator, denominator = cap * num * target_den, den * target_num
    points = numerator // denominator
    return points, (
        f"全年集中学习 {hours_text} 学时，不足 {target_text} 学时：{cap_text} × {hours_text} ÷ {target_text} "
        f"{show_quotient(numerator, 2 * denominator)} → {show(points)} 分"
    )


def _attendance(item, cap, ratio, cap_text, late_text, facts, provisional):
    path = f"attendance.{item.code}"
    record = facts.attendance.get(item.code)
    if record is None:
        return _missing(item, "出勤记录", path, provisional)
    label = item.label
    required, attended, late, excused = (
        record.required,
        record.attended,
        record.late_or_left_early,
        record.excused,
    )
    if (
        not (type(required) is type(attended) is type(late) is type(excused) is int)
        or min(required, attended, late, excused) < 0
    ):
        # Only the failing path builds field names and messages.
        check_count(required, f"{path}.required", f"“{label}”应参加次数")
        check_count(attended, f"{path}.attended", f"“{label}”出席次数")
        check_count(late, f"{path}.late_or_left_early", f"“{label}”迟到或早退次数")
        check_count(excused, f"{path}.excused", f"“{label}”请假次数")
    if attended > required:
        raise ScoringError(
            f"“{label}”出席次数（{attended}）不能超过应参加次数（{required}）", field=f"{path}.attended"
        )
    if attended + excused > required:
        raise ScoringError(
            f"“{label}”出席 {attended} 次加请假 {excused} 次，超过应参加的 {required} 次",
            field=f"{path}.excused",
        )
    if late > attended:
        raise ScoringError(
            f"“{label}”迟到或早退次数（{late}）不能超过出席次数（{attended}）",
            field=f"{path}.late_or_left_early",
        )
    counted = required - excused
    head = f"应参加 {required} 次，请假 {excused} 次（不计入）" if excused else f"应参加 {required} 次"
    if counted == 0:
        return cap, f"{head}，无须出席的活动不扣分 → 满分 {cap_text} 分"
    if attended == counted and not late:
        return cap, f"{head}，全部出席，无迟到、早退 → 满分 {cap_text} 分"
    late_num, late_den = ratio
    credit = attended * late_den - late * late_num
    numerator, denominator = cap * credit, late_den * counted
    points = numerator // denominator
    text = f"{head}，出席 {attended} 次"
    if late:
        credited = show_number(Decimal(credit) / late_den)
        text += f"，其中迟到或早退 {late} 次（每次折减 {late_text} 次，计出席 {credited} 次）"
    else:
        credited = str(attended)
    return points, (
        f"{text}：{cap_text} × {credited} ÷ {counted} {show_quotient(numerator, 2 * denominator)} → {show(points)} 分"
    )


def _dues(item, cap, ratio, cap_text, param_text, facts, provisional):
    record = facts.dues
    if record is None:
        return _missing(item, "党费交纳记录", "dues", provisional)
    on_time = check_count(record.months_on_time, "dues.months_on_time", "按时足额交纳党费的月数")
    required = check_count(record.months_required, "dues.months_required", "应交纳党费的月数")
    if required > MONTHS_IN_YEAR:
        raise ScoringError(f"应交纳党费的月数不能超过 12 个月，现为 {required}", field="dues.months_required")
    if on_time > required:
        raise ScoringError(
            f"按时足额交纳党费的月数（{on_time}）不能超过应交纳的月数（{required}）",
            field="dues.months_on_time",
        )
    if required == 0:
        return cap, f"本期无应交纳党费的月份 → 满分 {cap_text} 分"
    if on_time == required:
        return cap, f"应交纳党费 {required} 个月，均按时足额交纳 → 满分 {cap_text} 分"
    points = cap * on_time // required
    return points, (
        f"应交纳党费 {required} 个月，按时足额交纳 {on_time} 个月：{cap_text} × {on_time} ÷ {required} "
        f"{show_quotient(cap * on_time, 2 * required)} → {show(points)} 分"
    )


def _reports(item, cap, ratio, cap_text, target_text, facts, provisional):
    if facts.thought_reports is None:
        return _missing(item, "思想汇报记录", "thought_reports", provisional)
    reports = check_count(facts.thought_reports, "thought_reports", "思想汇报次数")
    target_num, target_den = ratio
    if reports * target_den >= target_num:
        return cap, f"全年汇报思想 {reports} 次，达到 {target_text} 次及以上 → 满分 {cap_text} 分"
    numerator = cap * reports * target_den
    points = numerator // target_num
    return points, (
        f"全年汇报思想 {reports} 次，不足 {target_text} 次：{cap_text} × {reports} ÷ {target_text} "
        f"{show_quotient(numerator, 2 * target_num)} → {show(points)} 分"
    )


def _judgment(item, cap, ratio, cap_text, param_text, facts, provisional):
    path = f"judgments.{item.code}"
    judgment = facts.judgments.get(item.code)
    if judgment is None:
        return _missing(item, "支委会评定", path, provisional)
    points = half_points(judgment.value, f"{path}.value", f"“{item.label}”的评定分值")
    if points > cap:
        raise ScoringError(
            f"“{item.label}”的评定分值不能超过 {cap_text} 分，现为 {judgment.value}", field=f"{path}.value"
        )
    reason = judgment.reason.strip() if isinstance(judgment.reason, str) else ""
    if points < cap and not reason:
        raise ScoringError(
            f"“{item.label}”评定为 {show(points)} 分，低于满分 {cap_text} 分，须写明理由",
            field=f"{path}.reason",
        )
    if reason:
        return points, f"支委会评定 {show(points)} 分：{reason}"
    return points, f"支委会评定满分 {cap_text} 分"


METHOD_FUNCTIONS = {
    "study_hours": _study,
    "attendance": _attendance,
    "dues": _dues,
    "report_count": _reports,
    "judgment": _judgment,
}
