from django.contrib import admin

from .models import Organization, Position


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    readonly_fields = ("path",)


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("member", "organization", "role", "start_date", "end_date")
    list_filter = ("role",)
    raw_id_fields = ("member", "organization")
