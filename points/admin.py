from django.contrib import admin

from .models import PointEntry, SchemeConfig


@admin.register(SchemeConfig)
class SchemeConfigAdmin(admin.ModelAdmin):
    list_display = ("organization", "applies_from", "title")


@admin.register(PointEntry)
class PointEntryAdmin(admin.ModelAdmin):
    """Read-only: the ledger is changed only through the workflow's services."""

    list_display = ("member", "quarter", "entry_type", "kind", "value", "is_current")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
