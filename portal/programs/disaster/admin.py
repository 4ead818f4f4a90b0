from django.contrib import admin

from engine.admin import ReadOnlyAdmin

from .models import DisasterAid


@admin.register(DisasterAid)
class DisasterAidAdmin(ReadOnlyAdmin):
    """Read-only: the register is written by the process's operators (every change audited there)."""

    list_display = ("case", "event_name", "event_date", "aid_type", "household_category", "amount", "calculated_at")
    list_filter = ("aid_type", "event_type", "household_category")
    search_fields = ("event_name", "case__business_key")
