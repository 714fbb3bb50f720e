"""Writing arrangements: create and edit drafts, publish, and revise published issues with a history.

A published arrangement is never edited silently: every change bumps its version by compare-and-set
and writes an ArrangementRevision holding the previous content as a JSON snapshot and a list of what
changed, so a branch can see what the department altered after they read it.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from branches.access import actor_for
from branches.models import Organization, OrgKind
from config.uploads import check_upload

from ..models import (
    Arrangement,
    ArrangementRevision,
    ArrangementState,
    Reading,
    Requirement,
    RevisionAction,
    ScheduleRow,
)
from ..selectors.scopes import staff_committee_ids
from ._common import require

FIELDS = ("title", "issue_label", "issuer", "issued_on", "theme", "purpose", "discussion")
FIELD_LABELS = {
    "title": "标题",
    "issue_label": "期号",
    "issuer": "编发单位",
    "issued_on": "印发日期",
    "theme": "学习教育主题",
    "purpose": "学习教育目的",
    "discussion": "学习讨论",
    "schedule": "时间安排",
    "readings": "学习内容",
    "requirements": "学习要求",
}

# Organizer text is split on these; "党总支（直属党支部）" names two kinds of unit.
_SEPARATORS = re.compile(r"[、，,；;/／（）()\s]+")
# Words that stand for every unit of a kind when no unit has that exact name.
_GENERIC = {
    "党总支": (OrgKind.GENERAL_BRANCH,),
    "直属党支部": (OrgKind.DIRECT_BRANCH,),
    "直属支部": (OrgKind.DIRECT_BRANCH,),
    "机关党工委": (OrgKind.WORKING_COMMITTEE,),
}
_ORGANIZER_KINDS = (
    OrgKind.WORKING_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.DIRECT_BRANCH,
    OrgKind.BRANCH,
)


def match_organizers(committee: Organization, text: str) -> tuple[list[Organization], list[str]]:
    """The units an organizer text names (by exact name, or by kind for 党总支/直属党支部/机关党工委),
    and the words that matched nothing."""
    units = list(
        Organization.objects.filter(path__startswith=committee.path, kind__in=_ORGANIZER_KINDS).order_by(
            "sort_order", "path"
        )
    )
    by_name = {u.name: u for u in units}
    matched: set[int] = set()
    unmatched: list[str] = []
    for token in _SEPARATORS.split(text or ""):
        token = token.strip()
        if not token:
            continue
        name = token if token in by_name else token.removeprefix("各")
        if name in by_name:
            matched.add(by_name[name].pk)
        elif name in _GENERIC:
            matched.update(u.pk for u in units if u.kind in _GENERIC[name])
        else:
            unmatched.append(token)
    return [u for u in units if u.pk in matched], unmatched


# --- snapshots and the description of a change ---------------------------------------------------


def snapshot(arrangement: Arrangement) -> dict:
    """The arrangement's whole content as plain JSON, read fresh from the database."""
    data = {f: getattr(arrangement, f) for f in FIELDS}
    data["issued_on"] = arrangement.issued_on.isoformat() if arrangement.issued_on else None
    data["schedule"] = [
        {
            "week": row.week,
            "date": row.date.isoformat(),
            "weekday": row.weekday,
            "organizers_text": row.organizers_text,
            "organizers": [o.name for o in row.organizers.order_by("sort_order", "path")],
        }
        for row in ScheduleRow.objects.filter(arrangement=arrangement).order_by("position", "id")
    ]
    data["readings"] = [
        {
            "number": r.number,
            "title": r.title,
            "source": r.source,
            "url": r.url,
            "page": r.page,
            "attachment": r.attachment_name if r.attachment else "",
        }
        for r in Reading.objects.filter(arrangement=arrangement).order_by("number")
    ]
    data["requirements"] = [
        {"number": r.number, "text": r.text}
        for r in Requirement.objects.filter(arrangement=arrangement).order_by("number")
    ]
    return data


def _section_text(section: str, items: list[dict]) -> str:
    lines = []
    for item in items:
        if section == "schedule":
            lines.append(f"第{item['week']}周 {item['date']} 星期{item['weekday']} {item['organizers_text']}")
        elif section == "readings":
            line = f"{item['number']}. {item['title']}"
            if item["source"]:
                line += f"（来源：{item['source']}）"
            if item["url"]:
                line += f" {item['url']}"
            if item["page"]:
                line += f" 第{item['page']}页"
            if item["attachment"]:
                line += f" [附件：{item['attachment']}]"
            lines.append(line)
        else:
            lines.append(f"{item['number']}. {item['text']}")
    return "\n".join(lines)


def describe_changes(old: dict, new: dict) -> list[dict]:
    """What changed, field by field and section by section, as a reader would say it."""
    changes = []
    for f in FIELDS:
        if old.get(f) != new.get(f):
            changes.append(
                {"field": f, "label": FIELD_LABELS[f], "old": old.get(f) or "", "new": new.get(f) or ""}
            )
    for section in ("schedule", "readings", "requirements"):
        before, after = (
            _section_text(section, old.get(section, [])),
            _section_text(section, new.get(section, [])),
        )
        if before != after:
            changes.append({"field": section, "label": FIELD_LABELS[section], "old": before, "new": after})
    return changes


# --- applying a content dict -------------------------------------------------------------------


def _row_error(section: str, index: int, exc: ValidationError) -> ValidationError:
    return ValidationError(f"{FIELD_LABELS[section]}第{index}行：{'；'.join(exc.messages)}")


def _check_uploads(readings: list[dict]) -> None:
    """Every new attachment is checked before anything is written, so a refusal changes nothing."""
    for i, row in enumerate(readings, start=1):
        if row.get("attachment") is not None:
            try:
                row["_checked"] = check_upload(row["attachment"])
            except ValidationError as exc:
                raise _row_error("readings", i, exc) from None


def _apply(arrangement: Arrangement, content: dict, saved_files: list) -> None:
    for f in FIELDS:
        if f in content:
            setattr(arrangement, f, content[f])
    arrangement.full_clean()
    arrangement.save()

    ScheduleRow.objects.filter(arrangement=arrangement).delete()
    for i, item in enumerate(content.get("schedule", []), start=1):
        row = ScheduleRow(
            arrangement=arrangement,
            position=i,
            week=item.get("week"),
            date=item.get("date"),
            organizers_text=(item.get("organizers_text") or "").strip(),
        )
        try:
            row.full_clean()
        except ValidationError as exc:
            raise _row_error("schedule", i, exc) from None
        row.save()
        units, _unmatched = match_organizers(arrangement.committee, row.organizers_text)
        row.organizers.set(units)

    # Readings are kept in place (records point at them); rows left out of the form are removed.
    existing = {r.pk: r for r in Reading.objects.filter(arrangement=arrangement)}
    kept: list[Reading] = []
    for i, item in enumerate(content.get("readings", []), start=1):
        reading = existing.pop(item["id"], None) if item.get("id") else None
        reading = reading or Reading(arrangement=arrangement)
        reading.number = 1000 + i  # parked out of the way of the unique (arrangement, number) for now
        reading.title = (item.get("title") or "").strip()
        reading.source = (item.get("source") or "").strip()
        reading.url = (item.get("url") or "").strip()
        reading.page = item.get("page")
        if item.get("clear_attachment"):
            reading.attachment, reading.attachment_name = "", ""
        checked = item.get("_checked")
        if checked is not None:
            reading.attachment.save(checked.content.name, checked.content, save=False)
            saved_files.append(reading.attachment.name)
            reading.attachment_name = checked.original_name
        try:
            reading.full_clean(exclude=["number"])
        except ValidationError as exc:
            raise _row_error("readings", i, exc) from None
        reading.save()
        kept.append(reading)
    Reading.objects.filter(pk__in=list(existing)).delete()
    for i, reading in enumerate(kept, start=1):
        Reading.objects.filter(pk=reading.pk).update(number=i)

    Requirement.objects.filter(arrangement=arrangement).delete()
    for i, text in enumerate(content.get("requirements", []), start=1):
        req = Requirement(arrangement=arrangement, number=i, text=(text or "").strip())
        try:
            req.full_clean()
        except ValidationError as exc:
            raise _row_error("requirements", i, exc) from None
        req.save()


def _apply_guarded(arrangement: Arrangement, content: dict) -> None:
    """Apply, and if anything fails after a file was stored, remove the file: the database rolls back,
    storage does not."""
    saved: list[str] = []
    try:
        _apply(arrangement, content, saved)
    except Exception:
        from django.core.files.storage import default_storage

        for name in saved:
            default_storage.delete(name)
        raise


# --- services --------------------------------------------------------------------------------------


@transaction.atomic
def arrangement_create(*, committee: Organization, content: dict, actor) -> Arrangement:
    """A new draft. Only the committee's organization department writes arrangements."""
    if committee.kind != OrgKind.COMMITTEE or committee.pk not in staff_committee_ids(actor_for(actor)):
        raise ValidationError("只有党委组织部可以编发学习教育安排。")
    _check_uploads(content.get("readings", []))
    arrangement = Arrangement(committee=committee, created_by=actor, issued_on=content.get("issued_on"))
    _apply_guarded(arrangement, content)
    return arrangement


@transaction.atomic
def arrangement_update(
    *,
    arrangement: Arrangement,
    content: dict,
    actor,
    reason: str = "",
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> ArrangementRevision | None:
    """Change an arrangement. A draft changes freely; a published one gets a revision row with the
    previous content. Returns the revision (None for drafts and for a save that changed nothing)."""
    require(actor, "study.change_arrangement", arrangement, "只有党委组织部可以修改学习教育安排。")
    _check_uploads(content.get("readings", []))
    locked = (
        Arrangement.objects.select_for_update(of=("self",)).select_related("committee").get(pk=arrangement.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError("该学习安排已被他人修改，请刷新页面，在最新内容上修改。")
    before = snapshot(locked)
    # Compare-and-set the version: a concurrent save that got here first makes this one fail.
    if Arrangement.objects.filter(pk=locked.pk, version=locked.version).update(version=F("version") + 1) != 1:
        raise ValidationError("该学习安排已被他人修改，请刷新页面，在最新内容上修改。")
    locked.version += 1
    _apply_guarded(locked, content)
    after = snapshot(locked)
    changes = describe_changes(before, after)
    if not changes:
        # Nothing to record: undo the version bump (no queries may follow in this block).
        transaction.set_rollback(True)
        return None
    revision = None
    if locked.state == ArrangementState.PUBLISHED:
        revision = ArrangementRevision.objects.create(
            arrangement=locked,
            action=RevisionAction.REVISE,
            version=locked.version,
            from_state=locked.state,
            to_state=locked.state,
            actor=actor,
            at=now or timezone.now(),
            snapshot=before,
            changes=changes,
            reason=(reason or "").strip()[:300],
        )
    arrangement.refresh_from_db()
    return revision


@transaction.atomic
def arrangement_publish(
    *, arrangement: Arrangement, actor, now: datetime.datetime | None = None
) -> Arrangement:
    """草稿 → 已发布, once it has a schedule, readings and requirements."""
    require(actor, "study.change_arrangement", arrangement, "只有党委组织部可以发布学习教育安排。")
    now = now or timezone.now()
    missing = [
        label
        for label, qs in (
            ("时间安排", ScheduleRow.objects.filter(arrangement=arrangement)),
            ("学习内容", Reading.objects.filter(arrangement=arrangement)),
            ("学习要求", Requirement.objects.filter(arrangement=arrangement)),
        )
        if not qs.exists()
    ]
    if missing:
        raise ValidationError(f"发布前请补全：{'、'.join(missing)}。")
    updated = Arrangement.objects.filter(pk=arrangement.pk, state=ArrangementState.DRAFT).update(
        state=ArrangementState.PUBLISHED, published_at=now, published_by=actor, version=F("version") + 1
    )
    if updated != 1:
        raise ValidationError("该学习安排已发布，不能重复发布。")
    arrangement.refresh_from_db()
    ArrangementRevision.objects.create(
        arrangement=arrangement,
        action=RevisionAction.PUBLISH,
        version=arrangement.version,
        from_state=ArrangementState.DRAFT,
        to_state=ArrangementState.PUBLISHED,
        actor=actor,
        at=now,
        snapshot=snapshot(arrangement),
    )
    return arrangement
