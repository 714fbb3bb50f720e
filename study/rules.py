"""Object permissions for study. Each predicate's queryset twin is in study.selectors.scopes.

Department staff publish arrangements and spot-inspect; general-branch leaders (and a direct branch's
own leaders) forward reschedule notices and record periodic checks; a branch's secretary or deputy plans
sessions and writes records; every member reads published arrangements and their own study page.
"""

import rules

from branches.access import actor_for

from .selectors.scopes import (
    branch_manager_ids,
    committee_ids,
    forward_paths,
    inspection_paths,
    notice_paths,
    staff_committee_ids,
    under,
)


@rules.predicate
def is_department(user) -> bool:
    return bool(actor_for(user).staff_paths)


@rules.predicate
def is_member(user) -> bool:
    return actor_for(user).member_id is not None


@rules.predicate
def reads_arrangement(user, arrangement) -> bool:
    if arrangement is None:
        return False
    actor = actor_for(user)
    if arrangement.committee_id in staff_committee_ids(actor):
        return True
    return arrangement.is_published and arrangement.committee_id in committee_ids(actor)


@rules.predicate
def edits_arrangement(user, arrangement) -> bool:
    return arrangement is not None and arrangement.committee_id in staff_committee_ids(actor_for(user))


@rules.predicate
def plans_for_arrangement(user, arrangement) -> bool:
    """A branch secretary or deputy in the arrangement's committee; which branches it covers is the form's job."""
    if arrangement is None or not arrangement.is_published:
        return False
    actor = actor_for(user)
    return any(
        int(p.org_path.strip("/").split("/")[0]) == arrangement.committee_id
        for p in actor.posts
        if p.org_id in branch_manager_ids(actor)
    )


@rules.predicate
def reads_reading(user, reading) -> bool:
    return reading is not None and reads_arrangement(user, reading.arrangement)


@rules.predicate
def reads_session(user, study_session) -> bool:
    return study_session is not None and actor_for(user).sees(study_session.session.branch.path)


@rules.predicate
def writes_record(user, study_session) -> bool:
    """学习教育记录 are kept by the branch: its secretary or deputy."""
    return study_session is not None and study_session.session.branch_id in branch_manager_ids(
        actor_for(user)
    )


@rules.predicate
def forwards_for_branch(user, branch) -> bool:
    """党总支 (or 机关党工委) leaders over the branch, or a 直属党支部's own leaders."""
    return branch is not None and under(branch.path, forward_paths(actor_for(user)))


@rules.predicate
def files_notice(user, study_session) -> bool:
    return study_session is not None and (
        writes_record(user, study_session) or forwards_for_branch(user, study_session.session.branch)
    )


@rules.predicate
def reads_notice(user, notice) -> bool:
    return notice is not None and under(
        notice.study_session.session.branch.path, notice_paths(actor_for(user))
    )


@rules.predicate
def forwards_notice(user, notice) -> bool:
    return notice is not None and forwards_for_branch(user, notice.study_session.session.branch)


@rules.predicate
def decides_notice(user, notice) -> bool:
    return notice is not None and under(notice.study_session.session.branch.path, actor_for(user).staff_paths)


@rules.predicate
def reads_notices(user) -> bool:
    return bool(notice_paths(actor_for(user)))


@rules.predicate
def checks_branch(user, branch) -> bool:
    """定期检查: the general branch (a direct branch checks itself)."""
    return branch is not None and branch.is_branch and forwards_for_branch(user, branch)


@rules.predicate
def spot_inspects_branch(user, branch) -> bool:
    """不定期督查: the school, i.e. the organization department."""
    return branch is not None and branch.is_branch and under(branch.path, actor_for(user).staff_paths)


@rules.predicate
def reads_inspection(user, inspection) -> bool:
    return inspection is not None and under(inspection.branch.path, inspection_paths(actor_for(user)))


@rules.predicate
def answers_inspection(user, inspection) -> bool:
    return inspection is not None and inspection.branch_id in branch_manager_ids(actor_for(user))


@rules.predicate
def reads_inspections(user) -> bool:
    return bool(inspection_paths(actor_for(user)))


@rules.predicate
def reads_completion(user) -> bool:
    actor = actor_for(user)
    return bool(actor.oversight_paths or forward_paths(actor))


@rules.predicate
def reads_attachment(user, attachment) -> bool:
    return attachment is not None and reads_session(user, attachment.study_session)


auth = rules.is_authenticated
rules.add_perm("study.add_arrangement", auth & is_department)
rules.add_perm("study.view_arrangement", auth & reads_arrangement)
rules.add_perm("study.change_arrangement", auth & edits_arrangement)
rules.add_perm("study.view_reading", auth & reads_reading)
rules.add_perm("study.plan_session", auth & plans_for_arrangement)
rules.add_perm("study.view_session", auth & reads_session)
rules.add_perm("study.write_record", auth & writes_record)
rules.add_perm("study.view_attachment", auth & reads_attachment)
rules.add_perm("study.file_notice", auth & files_notice)
rules.add_perm("study.list_notices", auth & reads_notices)
rules.add_perm("study.view_notice", auth & reads_notice)
rules.add_perm("study.forward_notice", auth & forwards_notice)
rules.add_perm("study.decide_notice", auth & decides_notice)
rules.add_perm("study.inspect_branch", auth & (checks_branch | spot_inspects_branch))
rules.add_perm("study.check_branch", auth & checks_branch)
rules.add_perm("study.spot_inspect_branch", auth & spot_inspects_branch)
rules.add_perm("study.list_inspections", auth & reads_inspections)
rules.add_perm("study.view_inspection", auth & reads_inspection)
rules.add_perm("study.answer_inspection", auth & answers_inspection)
rules.add_perm("study.view_completion", auth & reads_completion)
rules.add_perm("study.view_own_study", auth & is_member)
