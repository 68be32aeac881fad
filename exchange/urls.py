from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from core.converters import register_choices
from exchange.views import applications, certificates, matching, programs, review, sessions

# The admin signs in through allauth's login, with its rate limits and its second-factor step;
# Django's own admin login form would skip both.
admin.site.login = secure_admin_login(admin.site.login)

register_choices("export_format", ["csv", "xlsx"])
register_choices("batch_format", ["pdf", "zip"])
register_choices("adjustment", ["swap", "move", "pair"])
register_choices("response", ["confirm", "decline", "withdraw"])

app_patterns = (
    [
        path("cities/", programs.city_list, name="city_list"),
        path("cities/<slug:slug>/", programs.city_detail, name="city_detail"),
        path("programs/", programs.program_list, name="program_list"),
        path("programs/new/", programs.program_create, name="program_create"),
        path("programs/<int:pk>/", programs.program_detail, name="program_detail"),
        path("programs/<int:pk>/edit/", programs.program_edit, name="program_edit"),
        path("programs/<int:pk>/status/", programs.program_status, name="program_status"),
        path("programs/<int:pk>/apply/", applications.application_start, name="application_start"),
        path("coordinate/", programs.coordinator_dashboard, name="coordinator_dashboard"),
        path("start/", programs.landing, name="landing"),
        # A student's own applications.
        path("me/applications/", applications.my_applications, name="my_applications"),
        path("me/applications/<int:pk>/", applications.my_application, name="my_application"),
        path(
            "me/applications/<int:pk>/edit/", applications.application_edit, name="application_edit"
        ),
        path(
            "me/applications/<int:pk>/submit/",
            applications.application_submit,
            name="application_submit",
        ),
        path(
            "me/applications/<int:pk>/<response:answer>/",
            applications.application_respond,
            name="application_respond",
        ),
        path(
            "me/applications/<int:pk>/documents/<int:requirement_pk>/",
            applications.document_upload,
            name="document_upload",
        ),
        path(
            "me/applications/<int:pk>/documents/<int:document_pk>/delete/",
            applications.document_delete,
            name="document_delete",
        ),
        path("documents/<int:pk>/", applications.document_download, name="document_download"),
        # Coordinators: reviewing a program's applicants.
        path(
            "coordinate/programs/<int:pk>/applications/", review.review_queue, name="review_queue"
        ),
        path(
            "coordinate/programs/<int:pk>/applications/bulk/",
            review.review_bulk,
            name="review_bulk",
        ),
        path(
            "coordinate/programs/<int:pk>/applications.<export_format:fmt>",
            review.review_export,
            name="review_export",
        ),
        path(
            "coordinate/programs/<int:pk>/release/<int:city_pk>/",
            review.decisions_release,
            name="decisions_release",
        ),
        path("coordinate/programs/<int:pk>/setup/", review.review_setup, name="review_setup"),
        path(
            "coordinate/programs/<int:pk>/participants/", review.participants, name="participants"
        ),
        path("coordinate/programs/<int:pk>/audit/", review.program_audit, name="program_audit"),
        # Coordinators of every city: matching participants across the cities.
        path("coordinate/programs/<int:pk>/matching/", matching.matching_detail, name="matching"),
        path(
            "coordinate/programs/<int:pk>/matching/run/",
            matching.matching_run,
            name="matching_run",
        ),
        path(
            "coordinate/programs/<int:pk>/matching/<adjustment:how>/",
            matching.matching_adjust,
            name="matching_adjust",
        ),
        path(
            "coordinate/programs/<int:pk>/matching/groups/<int:group_pk>/lock/",
            matching.matching_lock,
            name="matching_lock",
        ),
        path(
            "coordinate/programs/<int:pk>/matching/groups/<int:group_pk>/split/",
            matching.matching_unpair,
            name="matching_unpair",
        ),
        path(
            "coordinate/programs/<int:pk>/matching/approve/",
            matching.matching_approve,
            name="matching_approve",
        ),
        path(
            "coordinate/programs/<int:pk>/matching/publish/",
            matching.matching_publish,
            name="matching_publish",
        ),
        path(
            "coordinate/programs/<int:pk>/matching/reopen/",
            matching.matching_reopen,
            name="matching_reopen",
        ),
        path(
            "coordinate/applications/<int:pk>/",
            review.review_application,
            name="review_application",
        ),
        # Certificates: public verification, the student's download, the coordinators' tools.
        path("verify/<str:code>/", certificates.verify, name="verify"),
        path(
            "me/certificates/<int:pk>/download/",
            certificates.my_certificate_download,
            name="my_certificate_download",
        ),
        path(
            "coordinate/programs/<int:pk>/certificates/",
            certificates.program_certificates,
            name="program_certificates",
        ),
        path(
            "coordinate/programs/<int:pk>/certificates.<batch_format:fmt>",
            certificates.certificates_batch,
            name="certificates_batch",
        ),
        path(
            "coordinate/certificate-batches/<int:pk>/download/",
            certificates.certificate_batch_download,
            name="certificate_batch_download",
        ),
        path(
            "coordinate/certificate-batches/<int:pk>/delete/",
            certificates.certificate_batch_delete,
            name="certificate_batch_delete",
        ),
        path(
            "coordinate/applications/<int:pk>/certificate/issue/",
            certificates.certificate_issue,
            name="certificate_issue",
        ),
        path(
            "coordinate/certificates/<int:pk>/revoke/",
            certificates.certificate_revoke,
            name="certificate_revoke",
        ),
        path(
            "coordinate/certificates/<int:pk>/reissue/",
            certificates.certificate_reissue,
            name="certificate_reissue",
        ),
        path(
            "coordinate/cities/<int:pk>/branding/",
            certificates.city_branding,
            name="city_branding",
        ),
        # Coordinators: an online program's live sessions and their attendance.
        path("coordinate/programs/<int:pk>/sessions/", sessions.program_sessions, name="sessions"),
        path(
            "coordinate/programs/<int:pk>/sessions/<int:session_pk>/",
            sessions.session_edit,
            name="session_edit",
        ),
        path(
            "coordinate/programs/<int:pk>/sessions/<int:session_pk>/delete/",
            sessions.session_delete,
            name="session_delete",
        ),
        path(
            "coordinate/programs/<int:pk>/sessions/<int:session_pk>/attendance/<int:application_pk>/",
            sessions.attendance_correct,
            name="attendance_correct",
        ),
        # Mutual visits, duty of care (issue 15): host households and their screening; the
        # trip (legs, itinerary, trip consent, emergency information, trip sheets); care
        # during the stay (locator, messages, check-ins, household visits, incidents).
        path("", include("exchange.urls_households")),
        path("", include("exchange.urls_trips")),
        path("", include("exchange.urls_sheets")),
        path("", include("exchange.urls_checkins")),
        path("", include("exchange.urls_care")),
    ],
    "exchange",
)

urlpatterns = [
    path("", programs.home, name="home"),
    path("", include(app_patterns)),
    path("", include("messaging.urls")),
    path("", include("outcomes.urls")),
    path("", include("privacy.urls")),
    path("me/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
    ),
]
