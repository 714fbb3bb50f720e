from django.contrib import admin

from .models import Exemption, Member, MemberChange


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "branch", "status")
    list_filter = ("category", "status", "is_mobile")
    search_fields = ("code", "name")
    raw_id_fields = ("branch", "group", "user")


@admin.register(Exemption)
class ExemptionAdmin(admin.ModelAdmin):
    list_display = ("member", "year", "reason", "state")
    list_filter = ("state", "year")


@admin.register(MemberChange)
class MemberChangeAdmin(admin.ModelAdmin):
    list_display = ("member", "field", "old_value", "new_value", "actor", "at")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
