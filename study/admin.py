from django.contrib import admin

from .models import (
    Arrangement,
    ArrangementRevision,
    Inspection,
    Reading,
    Requirement,
    RescheduleNotice,
    ScheduleRow,
    StudyAttachment,
    StudyRecord,
    StudySession,
)


class ScheduleInline(admin.TabularInline):
    model = ScheduleRow
    extra = 0
    filter_horizontal = ("organizers",)


class ReadingInline(admin.TabularInline):
    model = Reading
    extra = 0


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 0


@admin.register(Arrangement)
class ArrangementAdmin(admin.ModelAdmin):
    """Read-mostly: published issues change through the site so every change leaves a revision."""

    list_display = ("issue_label", "title", "committee", "issued_on", "state", "version")
    list_filter = ("state",)
    inlines = [ScheduleInline, ReadingInline, RequirementInline]

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.state == "draft"


@admin.register(ArrangementRevision)
class ArrangementRevisionAdmin(admin.ModelAdmin):
    list_display = ("arrangement", "action", "version", "actor", "at")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StudySession)
class StudySessionAdmin(admin.ModelAdmin):
    list_display = ("arrangement", "session", "planned_by", "planned_at")
    raw_id_fields = ("session",)


@admin.register(RescheduleNotice)
class RescheduleNoticeAdmin(admin.ModelAdmin):
    list_display = ("study_session", "state", "old_starts_at", "new_starts_at", "submitted_at")
    list_filter = ("state",)

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(StudyRecord)
admin.site.register(StudyAttachment)
admin.site.register(Inspection)
