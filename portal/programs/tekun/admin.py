"""Care homes are registered here by the county; their staffing changes on the care-home page (audited).
The rows the process writes (residents, agreements, visits, spot checks) are read-only records."""

from django.contrib import admin

from engine.admin import ReadOnlyAdmin

from .models import CareAgreement, CareHome, Residency, SpotCheck, SpotCheckCounter, SupportVisit


@admin.register(CareHome)
class CareHomeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "county", "beds", "carers", "active")
    list_filter = ("county", "active")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201 - Django's signature
        # After registration the staffing figure changes only on the care-home page, where each change is audited.
        return ("carers",) if obj is not None else ()


@admin.register(Residency)
class ResidencyAdmin(ReadOnlyAdmin):
    list_display = ("resident_name", "care_home", "care_level", "admitted_on", "ended_on")
    list_filter = ("care_home", "care_level")


@admin.register(CareAgreement)
class CareAgreementAdmin(ReadOnlyAdmin):
    list_display = ("supported_name", "carer_name", "signed_on", "visit_interval_days", "ended_on")


@admin.register(SupportVisit)
class SupportVisitAdmin(ReadOnlyAdmin):
    list_display = ("case", "sequence", "visited_on", "visitor", "agreement_kept")


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnlyAdmin):
    list_display = ("case", "county", "year", "sequence", "rate", "required", "selected", "selected_total")
    list_filter = ("county", "year", "selected")


@admin.register(SpotCheckCounter)
class SpotCheckCounterAdmin(ReadOnlyAdmin):
    list_display = ("county", "year", "cases", "selected")
