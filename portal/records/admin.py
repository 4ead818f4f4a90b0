from django.contrib import admin

from .models import Record


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "business_key", "jurisdiction", "instance", "sha256", "created_at")
    list_filter = ("kind",)
    search_fields = ("business_key", "sha256")
    readonly_fields = ("kind", "title", "instance", "business_key", "jurisdiction", "token", "file", "sha256",
                       "revisions", "slots", "created_at", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False
