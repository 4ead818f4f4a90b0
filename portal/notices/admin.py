from django.contrib import admin

from .models import PublicNotice


@admin.register(PublicNotice)
class PublicNoticeAdmin(admin.ModelAdmin):
    list_display = ("applicant_name", "village", "program", "round", "household_size", "amount", "starts_on",
                    "ends_on", "status")
    list_filter = ("status", "program")
    search_fields = ("applicant_name", "village__code")

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
