"""Evening check-ins: the traveller's one tap (from their application page) and the
coordinators' page of who answered what, per leg."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from core.emergency_numbers import emergency_numbers
from core.forms import errors_to_messages
from exchange.models import CheckIn
from exchange.selectors import checkins as selectors
from exchange.services import checkins as services
from exchange.views.common import program_of_request


@login_required
@permission_required("exchange.manage_trip", fn=program_of_request, raise_exception=True)
def check_ins(request, pk: int):
    program = program_of_request(request, pk)
    return render(
        request,
        "exchange/checkins/check_ins.html",
        {"program": program, "legs": selectors.program_check_ins(program=program)},
    )


@require_POST
@login_required
def check_in_answer(request, pk: int):
    # Someone else's check-in is a 404: its existence is not for them to know.
    check_in = CheckIn.objects.select_related("application", "leg__host_city").filter(pk=pk).first()
    if check_in is None or not request.user.has_perm("exchange.answer_check_in", check_in):
        raise Http404
    answer = request.POST.get("answer", "")
    try:
        services.check_in_answer(check_in=check_in, answer=answer, by=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        if answer == CheckIn.Answer.ALL_GOOD:
            messages.success(request, _("Thank you! Have a good evening."))
        else:
            numbers = emergency_numbers(check_in.leg.host_city.country)
            text = _("Thank you for telling us. A coordinator will contact you soon.")
            if numbers:
                text += " " + _("If you are in danger now, call %(number)s.") % {
                    "number": numbers[0].number
                }
            messages.success(request, text)
    return redirect("exchange:my_application", pk=check_in.application_id)
