"""A student's side of applying: start, fill in, upload, submit, confirm, withdraw.

Documents are served here too, to their owner and to the applicant city's coordinators, always
as an attachment and always with an audit entry.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from core.forms import add_validation_error, errors_to_messages
from core.models import Language
from exchange.forms.applications import ApplicationForm, DocumentForm, WithdrawForm
from exchange.models import Application, ApplicationDocument, RequiredDocument
from exchange.selectors import programs as program_selectors
from exchange.selectors.applications import student_applications
from exchange.selectors.certificates import valid_certificate_for
from exchange.selectors.matching import published_match_for
from exchange.selectors.sessions import participant_schedule
from exchange.services import applications as services

State = Application.State


def _own_application(request, pk: int) -> Application:
    # Someone else's application is a 404, not a 403: its existence is not for them to know.
    application = get_object_or_404(
        Application.objects.select_related("program", "city", "student__home_city"), pk=pk
    )
    if not request.user.has_perm("exchange.change_application", application):
        raise Http404
    return application


@require_POST
@login_required
def application_start(request, pk: int):
    program = program_selectors.program_get(pk=pk)
    if program is None or not request.user.has_perm("exchange.view_program", program):
        raise Http404
    existing = Application.objects.filter(program=program, student=request.user).first()
    if existing is not None:
        return redirect("exchange:application_edit", pk=existing.pk)
    try:
        application = services.application_start(program=program, student=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
        return redirect(program)
    messages.success(request, _("Your draft is saved. Only you can see it until you submit."))
    return redirect("exchange:application_edit", pk=application.pk)


@login_required
def application_edit(request, pk: int):
    """The draft's answers and its documents are one form, so nothing typed is lost.

    The document buttons submit the answers too: a student who typed for ten minutes and then
    uploads a scan keeps every word, saved when it is valid and shown again with its errors when
    it is not. A file chosen but not uploaded is uploaded by any of the form's buttons.
    """
    application = _own_application(request, pk)
    if application.state != State.DRAFT:
        return redirect("exchange:my_application", pk=application.pk)
    languages = list(Language.objects.all())
    form_kwargs = {"languages": languages, "is_visit": application.is_visit}
    if request.method == "POST":
        form = ApplicationForm(request.POST, **form_kwargs)
        documents_touched = _documents_from_form(request, application)
        if form.is_valid():
            try:
                services.application_save(
                    application=application, answers=form.to_answers(), by=request.user
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                if "submit" in request.POST:
                    return redirect("exchange:application_submit", pk=application.pk)
                messages.success(request, _("Draft saved. It is not submitted yet."))
                url = reverse("exchange:application_edit", kwargs={"pk": application.pk})
                return redirect(url + ("#documents" if documents_touched else ""))
    else:
        form = ApplicationForm(initial=ApplicationForm.initial_for(application), **form_kwargs)
    return render(
        request,
        "exchange/application_form.html",
        {
            "application": application,
            "form": form,
            "documents": _document_rows(application),
            "document_form": DocumentForm(),
            "missing": services.application_missing(application),
        },
    )


def document_field_name(requirement: RequiredDocument) -> str:
    return f"file-{requirement.pk}"


def _documents_from_form(request, application: Application) -> bool:
    """Uploads every file chosen in the form and removes the one asked for; says if any was.

    Each document is its own change: a refused file leaves the others and the answers as they
    would be without it, and the messages say which was refused and why.
    """
    touched = False
    requirements = list(application.program.required_documents.all())
    for requirement in requirements:
        uploaded = request.FILES.get(document_field_name(requirement))
        if uploaded is None:
            continue
        touched = True
        _upload(request, application, requirement, {"file": uploaded})
    wanted = request.POST.get("upload")
    if wanted and not any(
        str(r.pk) == wanted and document_field_name(r) in request.FILES for r in requirements
    ):
        touched = True
        messages.error(request, _("Choose a file first, then press Upload."))
    removed = request.POST.get("remove")
    if removed:
        touched = True
        document = ApplicationDocument.objects.filter(
            pk=removed if removed.isdigit() else None, application=application
        ).first()
        if document is None:
            messages.error(request, _("That document is no longer there."))
        else:
            _delete(request, document)
    return touched


def _upload(request, application, requirement, files) -> None:
    form = DocumentForm(data={}, files=files)
    if not form.is_valid():
        errors_to_messages(request, form)
        return
    try:
        services.document_upload(
            application=application,
            requirement=requirement,
            uploaded=form.cleaned_data["file"],
            by=request.user,
        )
    except ValidationError as error:
        errors_to_messages(request, error, about=str(requirement))
    else:
        messages.success(request, _("%(document)s uploaded.") % {"document": requirement})


def _delete(request, document: ApplicationDocument) -> None:
    try:
        services.document_delete(document=document, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("%(document)s removed.") % {"document": document.requirement})


def _document_rows(application: Application) -> list[tuple[RequiredDocument, object]]:
    uploaded = {d.requirement_id: d for d in application.documents.all()}
    return [(r, uploaded.get(r.pk)) for r in application.program.required_documents.all()]


@login_required
def application_submit(request, pk: int):
    """Submitting asks for confirmation: a page that says what happens next, and a button."""
    application = _own_application(request, pk)
    if application.state != State.DRAFT:
        return redirect("exchange:my_application", pk=application.pk)
    missing = services.application_missing(application)
    if request.method == "POST":
        try:
            services.application_submit(application=application, by=request.user)
        except ValidationError as error:
            errors_to_messages(request, error)
            return redirect("exchange:application_submit", pk=application.pk)
        messages.success(
            request, _("Your application is submitted. We have sent you a confirmation email.")
        )
        return redirect("exchange:my_application", pk=application.pk)
    return render(
        request,
        "exchange/application_submit.html",
        {"application": application, "missing": missing},
    )


@require_POST
@login_required
def document_upload(request, pk: int, requirement_pk: int):
    """One document on its own (the form's buttons go through application_edit instead)."""
    application = _own_application(request, pk)
    requirement = get_object_or_404(
        RequiredDocument, pk=requirement_pk, program_id=application.program_id
    )
    _upload(request, application, requirement, request.FILES)
    return redirect(reverse("exchange:application_edit", kwargs={"pk": pk}) + "#documents")


@require_POST
@login_required
def document_delete(request, pk: int, document_pk: int):
    application = _own_application(request, pk)
    document = get_object_or_404(ApplicationDocument, pk=document_pk, application=application)
    _delete(request, document)
    return redirect(reverse("exchange:application_edit", kwargs={"pk": pk}) + "#documents")


def _document_for_view(request, pk: int) -> ApplicationDocument | None:
    return (
        ApplicationDocument.objects.select_related("application", "requirement")
        .filter(pk=pk)
        .first()
    )


@login_required
@permission_required("exchange.view_document", fn=_document_for_view, raise_exception=True)
def document_download(request, pk: int):
    document = _document_for_view(request, pk)
    handle = services.document_open(document=document, by=request.user)
    extension = document.file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{document.requirement.kind}-{document.application_id}.{extension}",
        content_type=document.content_type,
    )
    return response


@login_required
def my_applications(request):
    return render(
        request,
        "exchange/my_applications.html",
        {"applications": student_applications(student=request.user)},
    )


@login_required
def my_application(request, pk: int):
    application = _own_application(request, pk)
    return render(
        request,
        "exchange/my_application.html",
        {
            "application": application,
            "events": application.events.select_related("actor"),
            "documents": _document_rows(application),
            "missing": services.application_missing(application)
            if application.state == State.DRAFT
            else [],
            "withdraw_form": WithdrawForm(),
            "match": published_match_for(application),
            "certificate": valid_certificate_for(application=application),
            "schedule": participant_schedule(application=application, now=timezone.now()),
            "can_withdraw": State.WITHDRAWN in services.APPLICATION_TRANSITIONS[application.state],
        },
    )


@require_POST
@login_required
def application_respond(request, pk: int, answer: str):
    """Confirm or decline an offered place, or withdraw."""
    application = _own_application(request, pk)
    try:
        if answer == "confirm":
            services.application_confirm(application=application, by=request.user)
            messages.success(request, _("Your place is confirmed. See you there!"))
        elif answer == "decline":
            services.application_decline(application=application, by=request.user)
            messages.success(request, _("You declined the place."))
        elif answer == "withdraw":
            form = WithdrawForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.application_withdraw(application=application, by=request.user, reason=reason)
            messages.success(request, _("Your application is withdrawn."))
        else:
            raise Http404
    except ValidationError as error:
        errors_to_messages(request, error)
    return redirect("exchange:my_application", pk=application.pk)
