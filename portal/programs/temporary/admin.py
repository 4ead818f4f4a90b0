"""Read-only admin for reserve funds, their ledger and emergency aid: every change goes through
``funds.top_up`` / ``funds.pay`` (``manage.py top_up_reserve_fund``, the process), never an edit."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import EmergencyAid, ReserveFund, ReserveFundEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class EntryInline(admin.TabularInline):
    model = ReserveFundEntry
    fields = ("created_at", "kind", "amount", "balance_after", "case", "actor_label", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created_at", "-pk")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ReserveFund)
class ReserveFundAdmin(ReadOnlyAdmin):
    list_display = ("township", "balance", "updated_at")
    search_fields = ("township__code", "township__name")
    inlines = [EntryInline]


@admin.register(ReserveFundEntry)
class ReserveFundEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "fund", "kind", "amount", "balance_after", "case", "actor_label")
    list_filter = ("kind",)
    search_fields = ("fund__township__code", "case__business_key", "reason")


@admin.register(EmergencyAid)
class EmergencyAidAdmin(ReadOnlyAdmin):
    list_display = ("case", "township", "amount", "aid_date", "paperwork_due", "escalated_at", "settled_at",
                    "outcome")
    list_filter = ("outcome",)
    search_fields = ("case__business_key", "township__code")
