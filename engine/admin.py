from django.contrib import admin

from .models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance, TimerEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the engine's actions and the process's operators (each change audited there):
    the admin shows them and never adds, changes or deletes. The portal's apps use it too."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(ReadOnlyAdmin):
    list_display = ("key", "version", "kind", "name", "status", "deployed_at")
    list_filter = ("kind", "status")
    search_fields = ("key", "name")
    exclude = ("source",)


@admin.register(ProcessInstance)
class ProcessInstanceAdmin(ReadOnlyAdmin):
    list_display = ("id", "process_key", "business_key", "jurisdiction", "status", "started_at")
    list_filter = ("status", "process_key")
    search_fields = ("business_key",)
    exclude = ("state",)


@admin.register(HumanTask)
class HumanTaskAdmin(ReadOnlyAdmin):
    list_display = ("name", "instance", "candidate_group", "assignee", "status", "due_at")
    list_filter = ("status", "role")


@admin.register(TimerEvent)
class TimerEventAdmin(ReadOnlyAdmin):
    list_display = ("spec_id", "instance", "due_at", "status")
    list_filter = ("status",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("chain", "seq", "kind", "actor_label", "occurred_at")
    list_filter = ("kind",)
    search_fields = ("chain",)
