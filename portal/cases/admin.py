from django.contrib import admin

from .models import Asset, Case, Household, IncomeItem, Jurisdiction, Member, Program


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "process_key", "payment", "one_open_case_per_household", "exclusive_membership")


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    readonly_fields = ("birth_date", "sex")


class IncomeInline(admin.TabularInline):
    model = IncomeItem
    extra = 0


class AssetInline(admin.TabularInline):
    model = Asset
    extra = 0


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("id", "village", "address")
    raw_id_fields = ("village",)
    inlines = [MemberInline, IncomeInline, AssetInline]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("business_key", "program", "household", "status", "opened_at")
    list_filter = ("program", "status")
    search_fields = ("business_key",)
    readonly_fields = ("instance", "business_key", "opened_at", "one_open_case_per_household")
