from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from engine.admin import ReadOnlyAdmin

from .models import ImportBatch, RegistryRecord


@admin.register(RegistryRecord)
class RegistryRecordAdmin(ReadOnlyAdmin):
    list_display = ("masked_id", "source", "kind", "category", "monthly_amount", "value", "valid_from", "valid_to",
                    "batch")
    list_filter = ("source", "kind", "batch")
    # Staff searching by a full number find the person without the list ever showing it.
    search_fields = ("=resident_id",)
    fields = ("masked_id", "source", "kind", "category", "monthly_amount", "value", "description", "valid_from",
              "valid_to", "batch", "imported_at")
    readonly_fields = fields

    @admin.display(description=_("身份证号"), ordering="resident_id")
    def masked_id(self, obj: RegistryRecord) -> str:
        return obj.masked_resident_id


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "source_file", "rows", "imported_by", "imported_at", "sha256")
    search_fields = ("source_file", "sha256")
    readonly_fields = ("source_file", "sha256", "rows", "imported_by", "imported_at")
