from django.contrib import admin

from engine.admin import ReadOnlyAdmin

from .models import PublicNotice


@admin.register(PublicNotice)
class PublicNoticeAdmin(ReadOnlyAdmin):
    list_display = ("applicant_name", "village", "program", "round", "household_size", "amount", "starts_on",
                    "ends_on", "status")
    list_filter = ("status", "program")
    search_fields = ("applicant_name", "village__code")
