from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.access import actor_for, get_object_for_user
from config.errors import error_text
from members.security.downloads import personal_download, stored_file_response

from .. import selectors, services
from ..forms import (
    AttachmentForm,
    DiscussionFormSet,
    RescheduleForm,
    SessionPlanForm,
    StudyRecordForm,
    branch_groups,
    branch_members,
)
from ..models import StudyAttachment, StudyRecord
from ..selectors.scopes import branch_manager_ids
from ..services.records import readings_of
from .arrangements import _get as get_arrangement


def _get(request, pk: int, perm: str):
    return get_object_for_user(request.user, selectors.visible_study_sessions(request.user), perm, pk=pk)


@require_http_methods(["GET", "POST"])
@login_required
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    arrangement = get_arrangement(request, pk, "study.plan_session")
    branches = selectors.covered_branches(arrangement).filter(
        pk__in=branch_manager_ids(actor_for(request.user))
    )
    branch_list = list(branches)
    initial = {"hours": 2, "format": "集中学习"}
    if branch_list:
        initial.update(branch=branch_list[0], date=selectors.schedule_date_for(arrangement, branch_list[0]))
    form = SessionPlanForm(
        request.POST or None,
        initial=initial,
        branches=branches,
        groups=branch_groups([b.pk for b in branch_list]),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            study_session = services.study_session_plan(
                arrangement=arrangement,
                branch=data["branch"],
                group=data.get("group"),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                venue=data["venue"],
                format=data["format"],
                hours=data["hours"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, "学习教育活动已安排，记录员可在活动时登记出勤。")
            return redirect("study:session_detail", pk=study_session.pk)
    return render(
        request,
        "study/session_form.html",
        {"a": arrangement, "form": form, "has_branches": bool(branch_list)},
    )


@require_GET
@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    study_session = _get(request, pk, "study.view_session")
    user = request.user
    record = (
        StudyRecord.objects.filter(study_session=study_session)
        .prefetch_related("readings", "discussion")
        .first()
    )
    attendance = list(selectors.session_attendance(study_session))
    context = {
        "ss": study_session,
        "s": study_session.session,
        "record": record,
        "attendance": attendance,
        "absentees": [a for a in attendance if a.status in ("excused", "absent")],
        "attended_count": sum(1 for a in attendance if a.status in ("present", "late", "left_early")),
        "attachments": selectors.session_attachments(study_session),
        "notices": selectors.session_notices(study_session),
        "can_write": user.has_perm("study.write_record", study_session),
        "can_notice": user.has_perm("study.file_notice", study_session),
        "deadline": services.notice_deadline(study_session.session.starts_at),
        "now": timezone.now(),
    }
    return render(request, "study/session_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def session_record(request: HttpRequest, pk: int) -> HttpResponse:
    study_session = _get(request, pk, "study.write_record")
    record = StudyRecord.objects.filter(study_session=study_session).first()
    members = branch_members(study_session.session.branch)
    initial, rows = {"note_taker": ""}, []
    if record is not None:
        initial = {
            "content": record.content,
            "minutes": record.minutes,
            "note_taker": record.note_taker,
            "readings": list(record.readings.all()),
        }
        rows = [
            {
                "speaker": e.speaker_id,
                "speaker_name": "" if e.speaker_id else e.speaker_name,
                "points": e.points,
            }
            for e in record.discussion.all()
        ]
    data = request.POST if request.method == "POST" else None
    form = StudyRecordForm(data, initial=initial, readings=readings_of(study_session))
    formset = DiscussionFormSet(data, prefix="discussion", initial=rows, form_kwargs={"members": members})
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        discussion = [
            f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.study_record_save(
                study_session=study_session,
                content=form.cleaned_data["content"],
                minutes=form.cleaned_data["minutes"],
                note_taker=form.cleaned_data["note_taker"],
                readings=form.cleaned_data["readings"],
                discussion=discussion,
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, "学习教育记录已保存。")
            return redirect("study:session_detail", pk=study_session.pk)
    return render(
        request,
        "study/record_form.html",
        {
            "ss": study_session,
            "s": study_session.session,
            "form": form,
            "formset": formset,
            "upload_form": AttachmentForm(),
        },
    )


@require_POST
@login_required
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    study_session = _get(request, pk, "study.write_record")
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件。")
    else:
        try:
            services.attachment_add(
                study_session=study_session,
                uploaded=form.cleaned_data["file"],
                caption=form.cleaned_data["caption"],
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, f"上传失败：{error_text(exc)}")
        else:
            messages.success(request, "已上传。")
    return redirect("study:session_detail", pk=study_session.pk)


@require_GET
@login_required
@personal_download
def attachment_file(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_for_user(
        request.user,
        StudyAttachment.objects.filter(
            study_session__in=selectors.visible_study_sessions(request.user)
        ).select_related("study_session__session__branch"),
        "study.view_attachment",
        pk=pk,
    )
    study_session = attachment.study_session
    return stored_file_response(
        attachment.file,
        filename=attachment.original_name,
        content_type=attachment.content_type,
        what=f"学习活动附件《{study_session.session.title}》",
        scope=study_session.session.branch.name,
    )


@require_http_methods(["GET", "POST"])
@login_required
def reschedule_new(request: HttpRequest, pk: int) -> HttpResponse:
    study_session = _get(request, pk, "study.file_notice")
    session = study_session.session
    form = RescheduleForm(
        request.POST or None,
        initial={
            "date": timezone.localtime(session.starts_at).date(),
            "start": timezone.localtime(session.starts_at).time(),
            "end": timezone.localtime(session.ends_at).time(),
            "venue": session.venue,
            "format": session.format,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.reschedule_submit(
                study_session=study_session,
                new_starts_at=data["starts_at"],
                new_ends_at=data["ends_at"],
                new_venue=data["venue"],
                new_format=data["format"],
                reason=data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request,
                "已报党委组织部，待组织部同意后按新时间开展。"
                if notice.state == "forwarded"
                else "已提交，待党总支报党委组织部。",
            )
            return redirect("study:session_detail", pk=study_session.pk)
    return render(
        request,
        "study/reschedule_form.html",
        {
            "ss": study_session,
            "s": session,
            "form": form,
            "deadline": services.notice_deadline(session.starts_at),
        },
    )
