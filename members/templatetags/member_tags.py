"""`{{ user|who }}`: who did something, as the ledger pages name them (members/display.py)."""

from django import template

from members.display import who as _who

register = template.Library()
register.filter("who", _who)
