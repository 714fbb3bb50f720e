"""Who did something, as the ledger pages name them (`{{ user|who }}`, members/templatetags/member_tags.py)."""

from django.core.exceptions import ObjectDoesNotExist


def who(user) -> str:
    """The member's name, else the login name; 系统 when no one (a system step)."""
    if not user:
        return "系统"
    try:
        name = user.member.name
    except (ObjectDoesNotExist, AttributeError):
        name = ""
    return name or user.username
