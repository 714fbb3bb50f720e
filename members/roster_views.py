"""Roster import and export views: being written (see issue 2 §5)."""

from django.http import Http404


def roster_import(request):
    raise Http404


def roster_template(request):
    raise Http404


def roster_export(request, org_pk):
    raise Http404
