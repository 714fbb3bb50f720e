"""`{{ user|who }}` (a filter of the page templates, config/jinja2.py): who did something, as the ledger
pages name them."""

from django.core.exceptions import ObjectDoesNotExist


def who(user) -> str:
    """The member's name, else the login name; 系统 when no one (a system step). Was the include
    points/workflow/_who.html, run once per row of the year page's lists: a filter costs far less."""
    if not user:
        return "系统"
    try:
        name = user.member.name
    except (ObjectDoesNotExist, AttributeError):
        name = ""
    return name or user.username
