"""Thin views for a person's data rights: their own page, download and deletion request;
the guardian's pages behind a signed link; the coordinators' queue and decisions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from accounts import tokens
from accounts.rules import guardian_represents
from core.forms import add_validation_error, errors_to_messages
from privacy import selectors, services
from privacy.forms import ConfirmDeletionForm, DecisionForm
from privacy.models import DeletionRequest


def _zip(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


def _context(student, **extra) -> dict:
    return {
        "current": selectors.deletion_request_current(student=student),
        "due_days": settings.DELETION_REQUEST_DUE_DAYS,
        **extra,
    }


@login_required
@permission_required("privacy.use_data_rights", raise_exception=True)
def my_data(request):
    return render(request, "privacy/my_data.html", _context(request.user))


@require_POST
@login_required
@permission_required("privacy.use_data_rights", raise_exception=True)
def my_data_download(request):
    try:
        body = services.person_data_export(student=request.user, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
        return redirect("privacy:my_data")
    return _zip(body)


@login_required
@permission_required("privacy.use_data_rights", raise_exception=True)
def my_data_delete(request):
    form = ConfirmDeletionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deletion_request_create(student=request.user, by=request.user)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(
                request, _("We have your request. Your city’s coordinators will decide soon.")
            )
            return redirect("privacy:my_data")
    return render(request, "privacy/delete_confirm.html", _context(request.user, form=form))


def _guardian_consent(token: str):
    consent = tokens.consent_from_rights_token(token)
    if consent is None or not guardian_represents(consent):
        return None
    return consent


def _invalid(request):
    return render(request, "accounts/guardian_link_invalid.html", status=404)


def guardian_data(request, token: str):
    consent = _guardian_consent(token)
    if consent is None:
        return _invalid(request)
    return render(
        request,
        "privacy/guardian_data.html",
        _context(consent.student, consent=consent, token=token),
    )


@require_POST
def guardian_data_download(request, token: str):
    consent = _guardian_consent(token)
    if consent is None:
        return _invalid(request)
    try:
        body = services.person_data_export(student=consent.student, by=None, consent=consent)
    except ValidationError as error:
        errors_to_messages(request, error)
        return redirect("privacy:guardian_data", token=token)
    return _zip(body)


def guardian_data_delete(request, token: str):
    consent = _guardian_consent(token)
    if consent is None:
        return _invalid(request)
    form = ConfirmDeletionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deletion_request_create(student=consent.student, by=None, consent=consent)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(
                request, _("We have your request. The city’s coordinators will decide soon.")
            )
            return redirect("privacy:guardian_data", token=token)
    return render(
        request,
        "privacy/delete_confirm.html",
        _context(consent.student, form=form, consent=consent, token=token),
    )


@login_required
@permission_required("privacy.view_deletion_queue", raise_exception=True)
def deletion_queue(request):
    today = timezone.localdate()
    open_requests = list(selectors.deletion_requests_open(user=request.user))
    for deletion_request in open_requests:
        deletion_request.overdue = deletion_request.is_overdue(today)
    return render(
        request,
        "privacy/queue.html",
        {
            "open_requests": open_requests,
            "decided": selectors.deletion_requests_decided(user=request.user),
            "form": DecisionForm(),
        },
    )


def _request_of(request, pk: int) -> DeletionRequest:
    return get_object_or_404(DeletionRequest, pk=pk)


@require_POST
@login_required
@permission_required("privacy.decide_deletion", fn=_request_of, raise_exception=True)
def deletion_decide(request, pk: int):
    deletion_request = _request_of(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        errors_to_messages(request, form)
        return redirect("privacy:queue")
    try:
        if form.cleaned_data["decision"] == "approve":
            services.deletion_request_approve(deletion_request=deletion_request, by=request.user)
            messages.success(request, _("Approved. The student’s data has been erased."))
        else:
            services.deletion_request_refuse(
                deletion_request=deletion_request,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Refused. The student has been told why."))
    except ValidationError as error:
        errors_to_messages(request, error)
    return redirect("privacy:queue")
