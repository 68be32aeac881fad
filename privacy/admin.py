"""Site staff's delete of a person goes through the one erasure (privacy.services), never a
cascade: certificates protect applications, and a half-deleted person is worse than none.
The account row stays, anonymised and locked; the admin says so."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.admin import UserAdmin
from accounts.models import User
from privacy import services
from privacy.models import DeletionRequest


class ErasingUserAdmin(UserAdmin):
    def get_deleted_objects(self, objs, request):
        summary = [
            _("%(who)s: personal data erased, account locked; numbers and certificates kept")
            % {"who": f"#{user.pk}"}
            for user in objs
        ]
        return summary, {}, set(), []

    def delete_model(self, request, obj):
        services.person_erase_by_staff(student=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for user in queryset.filter(erased_at__isnull=True):
                services.person_erase_by_staff(student=user, by=request.user)

    def response_delete(self, request, obj_display, obj_id):
        # The flashed message must not carry the name that was just erased.
        return super().response_delete(request, f"#{obj_id}", obj_id)


admin.site.unregister(User)
admin.site.register(User, ErasingUserAdmin)


@admin.register(DeletionRequest)
class DeletionRequestAdmin(admin.ModelAdmin):
    """Read-only: requests are made by students and guardians, decided by coordinators."""

    list_display = ["pk", "city", "requested_by", "requested_at", "due_on", "status"]
    list_filter = ["status", "city"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
