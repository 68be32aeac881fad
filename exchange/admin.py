from django.contrib import admin

from core.models import City, Language, Partnership, Theme
from exchange.models import (
    Application,
    ApplicationEvent,
    AuditEntry,
    Certificate,
    Program,
    ProgramCity,
    RequiredDocument,
    RubricCriterion,
)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_local", "country", "time_zone", "consent_age"]
    list_filter = ["country"]
    search_fields = ["name_en", "name_local", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["city_a", "city_b", "kind", "since", "status"]
    list_filter = ["kind", "status"]
    list_select_related = ["city_a", "city_b"]


class ProgramCityInline(admin.TabularInline):
    model = ProgramCity
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    """Read-only: programs, their cities' places and their status change through the
    program form and its status buttons (exchange.services.programs), which keep places with
    their own city, audit every change and open a program only when it can be supervised."""

    list_display = ["title", "kind", "status", "applications_close", "starts_on"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    inlines = [ProgramCityInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.register(Theme)
admin.site.register(Language)


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "from_state", "to_state", "reason"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-mostly: states change only through set_application_state, never by editing here."""

    list_display = ["student", "program", "city", "state", "submitted_at"]
    list_filter = ["state", "program__kind"]
    list_select_related = ["student", "program", "city"]
    search_fields = ["student__email", "student__latin_name", "student__native_name"]
    readonly_fields = ["program", "student", "city", "state", "confirm_by", "submitted_at"]
    inlines = [ApplicationEventInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "program", "city", "detail"]
    list_filter = ["action"]
    list_select_related = ["actor", "program", "city"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.register(RubricCriterion)
admin.site.register(RequiredDocument)


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Read-only: certificates are issued, revoked and reissued through the services, which
    keep the audit trail and the one-valid-certificate rule."""

    list_display = ["serial", "application", "issued_at", "revoked_at", "replaced_by"]
    list_select_related = ["application__student", "application__program", "replaced_by"]
    search_fields = ["serial", "application__student__latin_name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
