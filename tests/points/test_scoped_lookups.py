"""The one-object lookups every quarter and session page makes (scoped_quarter, scoped_session): what the
scope holds is found, anything else (another unit's, an id that does not exist, one past any integer
column typed into a URL) is a 404."""

import datetime

import pytest
from django.http import Http404

from points.models import Quarter
from points.selectors.records import scoped_session, session_scope
from points.selectors.workflow_scopes import quarter_scope, scoped_quarter
from tests.conftest import ROLES
from tests.points.workflow.conftest import YEAR, record_session

ALL_ROLES = [*ROLES, "other_secretary"]


@pytest.fixture
def rows(cast):
    units = [cast.committee, cast.g1, cast.g2, cast.b1, cast.b2, cast.b3]
    branches = [cast.b1, cast.b2, cast.b3]
    quarters = [Quarter.objects.create(branch=b, year=YEAR, number=1) for b in branches]
    sessions = [record_session(b, datetime.date(YEAR, 3, 10)) for b in branches]
    return units, quarters, sessions


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_finds_exactly_what_the_scope_holds(cast, rows, role):
    _units, quarters, sessions = rows
    user = getattr(cast, role).user
    for lookup, scope, objects in (
        (scoped_quarter, quarter_scope(user), quarters),
        (scoped_session, session_scope(user), sessions),
    ):
        in_scope = set(scope.values_list("pk", flat=True))
        # Each role sees some of them, and all but the department miss some (both answers are tried).
        assert in_scope and (role == "dept") == (in_scope == {o.pk for o in objects})
        for obj in objects:
            if obj.pk in in_scope:
                found = lookup(user, obj.pk)
                assert found == obj and found.branch == obj.branch
            else:
                with pytest.raises(Http404):
                    lookup(user, obj.pk)
        with pytest.raises(Http404):
            lookup(user, max(o.pk for o in objects) + 1000)
        with pytest.raises(Http404):
            lookup(user, 10**30)
