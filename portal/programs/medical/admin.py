from django.contrib import admin

from engine.admin import ReadOnlyAdmin

from .models import Settlement


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    """Read-only: settlements are written only by the process (``record_medical_settlement``)."""

    list_display = ("case", "patient_name", "masked_resident_id", "year", "category", "channel", "hospital",
                    "amount", "settled_at")
    list_filter = ("year", "category", "channel")
    search_fields = ("patient_name", "case__business_key")
    exclude = ("resident_id",)
    readonly_fields = ("masked_resident_id",)
