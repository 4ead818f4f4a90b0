from django.contrib import admin

from .models import DeathTrigger, ReviewCase, ReviewSchedule


@admin.register(ReviewSchedule)
class ReviewScheduleAdmin(admin.ModelAdmin):
    list_display = ("case", "next_due", "interval_months", "irregular_income", "able_bodied_members",
                    "last_reviewed_on", "ended_on")
    list_filter = ("interval_months", "irregular_income")
    search_fields = ("case__business_key",)
    date_hierarchy = "next_due"
    # Set by the review_schedule process (review_interval rules); changing them here would bypass the audit.
    readonly_fields = [f.name for f in ReviewSchedule._meta.fields]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(ReviewCase)
class ReviewCaseAdmin(admin.ModelAdmin):
    list_display = ("review", "original", "trigger", "due_on", "outcome", "concluded_at")
    list_filter = ("trigger", "outcome")
    search_fields = ("review__business_key", "original__business_key")
    readonly_fields = [f.name for f in ReviewCase._meta.fields]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(DeathTrigger)
class DeathTriggerAdmin(admin.ModelAdmin):
    list_display = ("member", "case", "review", "died_on", "noted_at")
    search_fields = ("case__business_key", "review__business_key")
    readonly_fields = [f.name for f in DeathTrigger._meta.fields]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
