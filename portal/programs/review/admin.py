from django.contrib import admin

from engine.admin import ReadOnlyAdmin

from .models import DeathTrigger, ReviewCase, ReviewSchedule


@admin.register(ReviewSchedule)
class ReviewScheduleAdmin(ReadOnlyAdmin):
    list_display = ("case", "next_due", "interval_months", "irregular_income", "able_bodied_members",
                    "last_reviewed_on", "ended_on")
    list_filter = ("interval_months", "irregular_income")
    search_fields = ("case__business_key",)
    date_hierarchy = "next_due"


@admin.register(ReviewCase)
class ReviewCaseAdmin(ReadOnlyAdmin):
    list_display = ("review", "original", "trigger", "due_on", "outcome", "concluded_at")
    list_filter = ("trigger", "outcome")
    search_fields = ("review__business_key", "original__business_key")


@admin.register(DeathTrigger)
class DeathTriggerAdmin(ReadOnlyAdmin):
    list_display = ("member", "case", "review", "died_on", "noted_at")
    search_fields = ("case__business_key", "review__business_key")
