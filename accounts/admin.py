from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    CoordinatorMembership,
    GuardianConsent,
    ObserverMembership,
    SpokenLanguage,
    User,
)


class CoordinatorMembershipInline(admin.TabularInline):
    model = CoordinatorMembership
    extra = 0
    verbose_name = _("coordinator team")


class ObserverMembershipInline(admin.TabularInline):
    model = ObserverMembership
    fk_name = "user"
    extra = 0
    readonly_fields = ["added_by", "added_at"]
    verbose_name = _("observed city")


class SpokenLanguageInline(admin.TabularInline):
    model = SpokenLanguage
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "native_name", "latin_name", "home_city", "is_staff"]
    list_filter = ["is_staff", "is_active", "home_city"]
    search_fields = ["email", "native_name", "latin_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "native_name",
                    "latin_name",
                    "date_of_birth",
                    "home_city",
                    "school",
                    "interests",
                    "preferred_language",
                ]
            },
        ),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = ["interests", "groups"]
    inlines = [CoordinatorMembershipInline, ObserverMembershipInline, SpokenLanguageInline]


@admin.register(GuardianConsent)
class GuardianConsentAdmin(admin.ModelAdmin):
    """Read-only: consent is given by the guardian through their link, never by staff."""

    list_display = ["student", "guardian_email", "requested_at", "consented_at", "withdrawn_at"]
    list_select_related = ["student"]
    search_fields = ["student__email", "guardian_email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ObserverMembership)
class ObserverMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "city", "added_by", "added_at"]
    list_filter = ["city"]
    search_fields = ["user__email", "user__latin_name"]
    raw_id_fields = ["user", "added_by"]
    readonly_fields = ["added_at"]
