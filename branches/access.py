"""Who may see what: one place that turns a user's current positions into scopes.

Every `rules` predicate and every list's queryset scope is built from the same `Actor`, so a
list can never show a row that its detail page would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Q, QuerySet

from .models import BRANCH_KINDS, Organization, OrgKind, PositionRole

# Roles that lead a unit: at branch level they run the branch; at general-branch or
# committee level they oversee the whole sub-tree.
LEADER_ROLES = (PositionRole.SECRETARY, PositionRole.DEPUTY_SECRETARY, PositionRole.COMMITTEE_MEMBER)
MANAGER_ROLES = (PositionRole.SECRETARY, PositionRole.DEPUTY_SECRETARY)


@dataclass(frozen=True)
class Post:
    role: str
    org_id: int
    org_path: str
    org_kind: str


@dataclass
class Actor:
    """A user's standing, read once per request: their member record and current posts."""

    user_id: int | None
    is_superuser: bool
    member_id: int | None
    branch_id: int | None
    branch_path: str | None
    posts: list[Post] = field(default_factory=list)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def _paths(self, roles, kinds=None) -> tuple[str, ...]:
        return tuple(
            sorted(
                {p.org_path for p in self.posts if p.role in roles and (kinds is None or p.org_kind in kinds)}
            )
        )

    @cached_property
    def staff_paths(self) -> tuple[str, ...]:
        """Committees whose organization department this user works in."""
        return self._paths((PositionRole.ORG_STAFF,))

    @cached_property
    def view_paths(self) -> tuple[str, ...]:
        """Sub-trees whose rosters and records this user may read."""
        paths = set(self.staff_paths)
        paths.update(self._paths(LEADER_ROLES + (PositionRole.RECORDER,)))
        return _outermost(paths)

    @cached_property
    def manage_paths(self) -> tuple[str, ...]:
        """Sub-trees whose members this user may edit and import (secretaries, deputies, department)."""
        return _outermost(set(self.staff_paths) | set(self._paths(MANAGER_ROLES)))

    @cached_property
    def recorder_paths(self) -> tuple[str, ...]:
        return self._paths((PositionRole.RECORDER,), BRANCH_KINDS)

    @cached_property
    def oversight_paths(self) -> tuple[str, ...]:
        """Sub-trees above branch level: general branches, 机关党工委, the committee (via the department)."""
        upper = {
            p.org_path
            for p in self.posts
            if p.role in LEADER_ROLES and p.org_kind not in BRANCH_KINDS and p.org_kind != OrgKind.GROUP
        }
        return _outermost(upper | set(self.staff_paths))

    def role_in(self, org: Organization) -> set[str]:
        """Roles held in `org` itself or in any unit above it."""
        return {p.role for p in self.posts if org.path.startswith(p.org_path)}

    def sees(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.view_paths)

    def manages(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.manage_paths)

    def oversees(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.oversight_paths)

    def is_recorder_of(self, path: str) -> bool:
        return path in self.recorder_paths

    @property
    def is_department(self) -> bool:
        return bool(self.staff_paths)


def _outermost(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter one, so prefix filters stay few."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


ANONYMOUS = Actor(user_id=None, is_superuser=False, member_id=None, branch_id=None, branch_path=None)


def actor_for(user) -> Actor:
    """The user's Actor, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_jifen_actor", None)
    if cached is not None:
        return cached
    from django.db.models import FilteredRelation

    from members.models import Member, MemberStatus

    # One query for the member and their current posts (a LEFT JOIN: a member without posts is one row
    # of NULLs); this runs on every page, so it is worth not being two.
    rows = list(
        Member.objects.filter(user=user, status=MemberStatus.ACTIVE)
        .annotate(current=FilteredRelation("positions", condition=Q(positions__end_date__isnull=True)))
        .order_by("pk", "current__organization__path", "current__role")  # Position.Meta.ordering
        .values_list(
            "pk",
            "branch_id",
            "branch__path",
            "current__role",
            "current__organization_id",
            "current__organization__path",
            "current__organization__kind",
        )
    )
    member = rows[0] if rows else None
    posts: list[Post] = [
        Post(role=role, org_id=org_id, org_path=path, org_kind=kind)
        for pk, _branch, _path, role, org_id, path, kind in rows
        if pk == member[0] and role is not None
    ]
    actor = Actor(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        member_id=member[0] if member else None,
        branch_id=member[1] if member else None,
        branch_path=member[2] if member else None,
        posts=posts,
    )
    user._jifen_actor = actor
    return actor


def path_q(paths, field_name: str = "path") -> Q:
    """Q matching rows whose `field_name` lies in any of the sub-trees."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field_name}__startswith": path})
    return q


def seen_or_own(actor: Actor, relation: str = "") -> Q:
    """Q matching units (or, through `relation`, rows of units) in the sub-trees the actor leads, records
    for or oversees, and of their own branch."""
    prefix = f"{relation}__" if relation else ""
    q = path_q(actor.view_paths, f"{prefix}path")
    if actor.branch_id:
        q |= Q(**{f"{relation}_id" if relation else "pk": actor.branch_id})
    return q


def visible_organizations(user) -> QuerySet[Organization]:
    """Units the user may open: the sub-trees they lead or record for, and their own branch."""
    return Organization.objects.filter(seen_or_own(actor_for(user)))


def get_object_for_user(user, queryset: QuerySet, perm: str, *, on=None, **lookup):
    """The one lookup every view uses: outside the user's scope → 404, in scope but the
    `rules` permission says no → 403. `on(obj)` names the object the permission is held on when it is
    not the row itself (usually its branch)."""
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import get_object_or_404

    obj = get_object_or_404(queryset, **lookup)
    if not user.has_perm(perm, on(obj) if on else obj):
        raise PermissionDenied
    return obj
