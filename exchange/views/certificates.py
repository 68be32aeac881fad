"""Certificates: the public verification page, the student's download, and the
coordinators' list, actions, batches (asked for here, rendered by a task) and city branding."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from core.forms import add_validation_error, errors_to_messages
from core.models import City
from exchange.forms.certificates import CertificateBatchForm, CityBrandingForm, RevokeForm
from exchange.models import Application, CertificateBatch, CityBranding, Program
from exchange.selectors import certificates as selectors
from exchange.services import certificates as services
from exchange.views.common import cities_coordinated, program_of_request

# The id of the batch list on the certificates page, which htmx refreshes.
BATCHES_ID = "certificate-batches"
BATCH_CONTENT_TYPES = {
    CertificateBatch.Format.PDF: "application/pdf",
    CertificateBatch.Format.ZIP: "application/zip",
}


def _attachment(body: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def verify(request, code: str):
    """Public: anyone holding the printed code may check the certificate. It shows what is
    printed on the certificate and nothing more about the holder."""
    certificate = services.certificate_for_code(code)
    if certificate is None:
        return render(request, "exchange/verify_not_found.html", status=404)
    application = certificate.application
    program = application.program
    cities = sorted(
        (pc.city for pc in program.program_cities.select_related("city")),
        key=lambda city: city.pk != application.city_id,
    )
    # The holder asked for their data to be erased: the certificate stays genuine, and the
    # page says so without a name.
    holder_erased = application.student.erased_at is not None
    response = render(
        request,
        "exchange/verify.html",
        {
            "certificate": certificate,
            "holder_erased": holder_erased,
            "holder_native": "" if holder_erased else application.student.native_name,
            "holder_latin": "" if holder_erased else application.student.latin_name,
            "program_title": program.title,
            "starts_on": program.starts_on,
            "ends_on": program.ends_on,
            "cities": [f"{city.name_local} {city.name_en}" for city in cities],
        },
    )
    # Holders are often minors: a verify link someone posts must not put their name in a
    # search engine (docs/decisions.md, "What the verify page shows").
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    return response


@login_required
def my_certificate_download(request, pk: int):
    # Someone else's certificate is a 404: its existence is not for them to know.
    certificate = selectors.certificate_with_application(pk=pk)
    if (
        certificate is None
        or not request.user.has_perm("exchange.download_certificate", certificate)
        or not certificate.is_valid
        or not certificate.pdf
    ):
        raise Http404
    services.certificate_record_download(certificate=certificate, by=request.user)
    with certificate.pdf.open("rb") as file:
        body = file.read()
    return _attachment(body, content_type="application/pdf", filename=f"{certificate.serial}.pdf")


def _batches(program: Program, cities) -> dict:
    batches = selectors.certificate_batches_visible(
        program=program, city_ids=[city.pk for city in cities]
    )
    return {"batches": batches, "batches_pending": any(batch.is_pending for batch in batches)}


@login_required
@permission_required("exchange.review_program", fn=program_of_request, raise_exception=True)
def program_certificates(request, pk: int):
    program = program_of_request(request, pk)
    cities = cities_coordinated(request, program)
    if request.htmx and request.htmx.target == BATCHES_ID:
        # The batch list asks again every 2 s while one of them is being prepared.
        return render(
            request,
            "exchange/program_certificates.html#batches",
            {"program": program, **_batches(program, cities)},
        )
    rows = selectors.program_certificate_rows(
        program=program, city_ids=[city.pk for city in cities]
    )
    for application in rows:
        for certificate in application.certificate_list:
            # One revoke form per certificate, each with ids of its own (one label, one field).
            certificate.revoke_form = RevokeForm(auto_id=f"revoke-{certificate.pk}-%s")
    return render(
        request,
        "exchange/program_certificates.html",
        {
            "program": program,
            "cities": cities,
            "rows": rows,
            # Online exchanges: who can't be completed yet for lack of attendance, and why.
            "attendance": selectors.completion_attendance(
                program=program, city_ids=[city.pk for city in cities], now=timezone.now()
            )
            if program.kind == Program.Kind.ONLINE
            else None,
            **_batches(program, cities),
        },
    )


def _certificates_page(program_id: int):
    return redirect(reverse("exchange:program_certificates", args=[program_id]) + f"#{BATCHES_ID}")


@require_POST
@login_required
@permission_required("exchange.print_certificates", fn=program_of_request, raise_exception=True)
def certificates_batch(request, pk: int, fmt: str):
    """Ask for a batch; a task renders it, and the certificates page offers it when ready."""
    program = program_of_request(request, pk)
    form = CertificateBatchForm(
        request.POST, program_cities=[pc.city for pc in program.program_cities.all()]
    )
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose one or more of your own cities in this program."))
        city_ids = form.cleaned_data["city"] or [
            city.pk for city in cities_coordinated(request, program)
        ]
        services.certificate_batch_request(
            program=program, city_ids=city_ids, fmt=fmt, by=request.user
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request, _("The certificates are being prepared. The file appears below when ready.")
        )
    return _certificates_page(program.pk)


def _batch(request, pk: int) -> CertificateBatch | None:
    # The permission check and the view both ask for the batch: load it once per request.
    cache = request.__dict__.setdefault("_certificate_batches", {})
    if pk not in cache:
        cache[pk] = selectors.certificate_batch_with_program(pk=pk)
    return cache[pk]


@login_required
@permission_required("exchange.download_certificate_batch", fn=_batch, raise_exception=True)
def certificate_batch_download(request, pk: int):
    batch = _batch(request, pk)
    if batch.state != CertificateBatch.State.READY or not batch.file:
        raise Http404
    try:
        file = batch.file.storage.open(batch.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    services.certificate_batch_record_download(batch=batch, by=request.user)
    program = batch.program
    name = (
        f"certificates-{program.pk}-{slugify(program.title)[:40] or 'program'}-{batch.pk}"
        f".{batch.format}"
    )
    response = FileResponse(
        file, as_attachment=True, filename=name, content_type=BATCH_CONTENT_TYPES[batch.format]
    )
    return response


@require_POST
@login_required
@permission_required("exchange.delete_certificate_batch", fn=_batch, raise_exception=True)
def certificate_batch_delete(request, pk: int):
    batch = _batch(request, pk)
    services.certificate_batch_delete(batch=batch)
    messages.success(request, _("The file is deleted."))
    return _certificates_page(batch.program_id)


def _application(request, pk: int) -> Application | None:
    return Application.objects.select_related("program").filter(pk=pk).first()


@require_POST
@login_required
@permission_required("exchange.issue_certificate", fn=_application, raise_exception=True)
def certificate_issue(request, pk: int):
    application = _application(request, pk)
    try:
        certificate = services.certificate_issue(application=application, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request, _("Certificate %(serial)s is issued.") % {"serial": certificate.serial}
        )
    return redirect("exchange:program_certificates", pk=application.program_id)


def _certificate(request, pk: int):
    return selectors.certificate_with_application(pk=pk)


@require_POST
@login_required
@permission_required("exchange.change_certificate", fn=_certificate, raise_exception=True)
def certificate_revoke(request, pk: int):
    certificate = _certificate(request, pk)
    form = RevokeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the certificate is revoked."))
        services.certificate_revoke(
            certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request, _("Certificate %(serial)s is revoked.") % {"serial": certificate.serial}
        )
    return redirect("exchange:program_certificates", pk=certificate.application.program_id)


@require_POST
@login_required
@permission_required("exchange.change_certificate", fn=_certificate, raise_exception=True)
def certificate_reissue(request, pk: int):
    certificate = _certificate(request, pk)
    try:
        new = services.certificate_reissue(certificate=certificate, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request,
            _("Certificate %(old)s is replaced by %(new)s.")
            % {"old": certificate.serial, "new": new.serial},
        )
    return redirect("exchange:program_certificates", pk=certificate.application.program_id)


def _city(request, pk: int) -> City | None:
    return City.objects.filter(pk=pk).first()


@login_required
@permission_required("exchange.brand_city", fn=_city, raise_exception=True)
def city_branding(request, pk: int):
    city = _city(request, pk)
    branding = CityBranding.objects.filter(city=city).first()
    if request.method == "POST":
        form = CityBrandingForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.city_branding_save(
                    city=city,
                    by=request.user,
                    signatory_name=form.cleaned_data["signatory_name"],
                    emblem=form.cleaned_data["emblem"],
                    signature=form.cleaned_data["signature"],
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("The certificate branding is saved."))
                return redirect("exchange:city_branding", pk=city.pk)
    else:
        form = CityBrandingForm(
            initial={"signatory_name": branding.signatory_name if branding else ""}
        )
    return render(
        request,
        "exchange/city_branding.html",
        {"city": city, "branding": branding, "form": form},
    )
