"""支委初评 (clause 四.3): the branch list with provisional scores, and one member's review page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from branches.access import get_object_for_user
from config.errors import error_text
from members.models import Member, MemberStatus

from ...forms.workflow import ENTRY_FORMS, DeclarationReviewForm, EntryCorrectForm
from ...models import DeclarationState, QuarterState
from ...selectors import workflow as selectors
from ...selectors.facts import scheme_for
from ...services import workflow as services
from ._common import quarter_for


def _quarter(request: HttpRequest, pk: int):
    user = request.user
    return quarter_for(user, pk, "points.review")


def _member(quarter, member_pk: int) -> Member:
    """An active member of the quarter's branch, else 404."""
    return get_object_or_404(Member, pk=member_pk, branch=quarter.branch, status=MemberStatus.ACTIVE)


@require_GET
@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    quarter = _quarter(request, pk)
    rows = selectors.quarter_rows(quarter)
    context = {
        "quarter": quarter,
        "rows": rows,
        "pending": sum(row.pending for row in rows),
        "in_review": quarter.state == QuarterState.IN_REVIEW,
    }
    return render(request, "points/workflow/review.html", context)


def _render_member(request: HttpRequest, quarter, member, bound=None, status: int = 200) -> HttpResponse:
    """The member's review page; `bound` replaces one of its forms with the one just posted (errors shown)."""
    bound = bound or {}
    shown = set()
    detail = selectors.review_detail(quarter, member)
    scheme = detail.scheme
    in_review = quarter.state == QuarterState.IN_REVIEW
    for d in detail.declarations:
        key = f"d{d.pk}"
        if in_review and d.state == DeclarationState.SUBMITTED:
            d.form = bound.get(key) or DeclarationReviewForm(scheme=scheme, declaration=d)
            shown.add(key)
    for e in detail.entries:
        if in_review and e.is_current:
            e.form = bound.get(f"c{e.pk}") or EntryCorrectForm(entry=e)
            shown.add(f"c{e.pk}")
    if in_review:
        shown.update(ENTRY_FORMS)
    for key, form in bound.items():
        # Another request got there first (the declaration reviewed, the entry corrected, the review
        # over): the posted form is not shown again, so its refusal is.
        if key not in shown:
            for error in form.non_field_errors():
                messages.error(request, error)
    entry_forms = {}
    if in_review:
        for entry_type, form_class in ENTRY_FORMS.items():
            form = bound.get(entry_type)
            entry_forms[entry_type] = form if form is not None else form_class(scheme=scheme)
    context = {
        "quarter": quarter,
        "member": member,
        "detail": detail,
        "facts": detail.facts,
        "score": detail.score,
        "in_review": in_review,
        "deduction_form": entry_forms.get("deduction"),
        "bonus_form": entry_forms.get("bonus"),
        "judgment_form": entry_forms.get("judgment"),
    }
    return render(request, "points/workflow/review_member.html", context, status=status)


@require_GET
@login_required
def review_member(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    quarter = _quarter(request, pk)
    return _render_member(request, quarter, _member(quarter, member_pk))


@require_POST
@login_required
def declaration_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    declaration = get_object_for_user(
        user, selectors.declaration_scope(user), "points.review", on=lambda d: d.quarter.branch, pk=pk
    )
    quarter = declaration.quarter
    form = DeclarationReviewForm(
        request.POST, scheme=scheme_for(quarter.branch, quarter.year), declaration=declaration
    )
    if form.is_valid():
        try:
            services.declaration_review(declaration=declaration, actor=user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, f"已记录对{declaration.subject.name}所报事项的初评意见。")
            return redirect("points:review_member", pk=quarter.pk, member_pk=declaration.subject_id)
    return _render_member(request, quarter, declaration.subject, {f"d{declaration.pk}": form})


@require_POST
@login_required
def entry_add(request: HttpRequest, pk: int, member_pk: int, entry_type: str) -> HttpResponse:
    quarter = _quarter(request, pk)
    member = _member(quarter, member_pk)
    form_class = ENTRY_FORMS.get(entry_type)
    if form_class is None:
        raise Http404("没有该积分类别。")
    form = form_class(request.POST, scheme=scheme_for(quarter.branch, quarter.year))
    if form.is_valid():
        try:
            entry = services.entry_add(
                quarter=quarter, member=member, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request,
                f"已记入{member.name}的积分台账：{entry.get_entry_type_display()} {entry.value:g} 分。",
            )
            return redirect("points:review_member", pk=quarter.pk, member_pk=member.pk)
    return _render_member(request, quarter, member, {entry_type: form})


@require_POST
@login_required
def entry_correct(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    entry = get_object_for_user(
        user, selectors.entry_scope(user), "points.review", on=lambda e: e.quarter.branch, pk=pk
    )
    form = EntryCorrectForm(request.POST, entry=entry)
    if form.is_valid():
        try:
            services.entry_correct(entry=entry, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, "已更正，原条目保留在台账中。")
            return redirect("points:review_member", pk=entry.quarter_id, member_pk=entry.member_id)
    return _render_member(request, entry.quarter, entry.member, {f"c{entry.pk}": form})
