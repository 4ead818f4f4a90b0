from django.contrib import admin

from engine.admin import ReadOnlyAdmin

from .models import ChildCaseLink, DepartmentNotification, GuardianshipPetition, RiskAssessment, TemporaryGuardianship


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("case", "assessed_on", "risk_level", "total", "no_effective_guardian", "assessed_by")
    list_filter = ("risk_level",)


@admin.register(DepartmentNotification)
class DepartmentNotificationAdmin(ReadOnlyAdmin):
    list_display = ("case", "department", "notified_on", "risk_level", "recorded_by")
    list_filter = ("department", "risk_level")


@admin.register(TemporaryGuardianship)
class TemporaryGuardianshipAdmin(ReadOnlyAdmin):
    list_display = ("case", "kind", "guardian_name", "starts_at", "due_at", "ended_at")
    list_filter = ("kind",)


@admin.register(ChildCaseLink)
class ChildCaseLinkAdmin(ReadOnlyAdmin):
    list_display = ("case", "program_name", "status", "linked_case", "created_at")
    list_filter = ("status", "program_code")


@admin.register(GuardianshipPetition)
class GuardianshipPetitionAdmin(ReadOnlyAdmin):
    list_display = ("case", "grounds", "court", "filed_on", "neglect_months")
    list_filter = ("grounds",)
