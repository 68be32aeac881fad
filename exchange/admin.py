from django.contrib import admin

from exchange.models import City, Language, Partnership, Program, ProgramCity, Theme


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


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "applications_close", "starts_on"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    inlines = [ProgramCityInline]
    filter_horizontal = ["themes", "working_languages"]


admin.site.register(Theme)
admin.site.register(Language)
