"""Working groups and action plans: thin doors into outcomes.services.plans and
outcomes.selectors.plans. Reading a page asks outcomes.view_partnership or view_plan; every
POST asks the perm that changes it (rules.py), so an observer's POST is refused."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from rules.contrib.views import permission_required

from accounts.models import User
from core.forms import add_validation_error, errors_to_messages
from core.models import Partnership
from outcomes import small_groups
from outcomes.forms.plans import (
    ActivityForm,
    BudgetLineEditForm,
    BudgetLineForm,
    GroupForm,
    IndicatorForm,
    MemberForm,
    measure_choices,
)
from outcomes.models import BudgetLine, Indicator, PlanActivity, WorkingGroup, WorkingGroupMember
from outcomes.selectors import plans as selectors
from outcomes.selectors.indicators import indicator_rows
from outcomes.services import plans as services


def _partnership(request, pk):
    return get_object_or_404(Partnership.objects.select_related("city_a", "city_b"), pk=pk)


def _group(request, pk):
    try:
        return selectors.group_for_page(pk=pk)
    except WorkingGroup.DoesNotExist as error:
        raise Http404 from error


def _group_partnership(request, pk):
    return _group(request, pk).partnership


def _activity_group(request, pk):
    return _activity(pk).group


def _indicator_group(request, pk):
    return _indicator(pk).group


def _activity(pk) -> PlanActivity:
    try:
        return selectors.plan_activity_for_page(pk=pk)
    except PlanActivity.DoesNotExist as error:
        raise Http404 from error


def _indicator(pk):
    try:
        return selectors.indicator_for_page(pk=pk)
    except Indicator.DoesNotExist as error:
        raise Http404 from error


def _require(request, perm: str, obj) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


@login_required
@permission_required("outcomes.view_partnership", fn=_partnership, raise_exception=True)
def groups(request, pk):
    partnership = _partnership(request, pk)
    can_change = request.user.has_perm("outcomes.change_working_groups", partnership)
    form = GroupForm(request.POST or None)
    if request.method == "POST":
        _require(request, "outcomes.change_working_groups", partnership)
        if form.is_valid():
            try:
                group = services.working_group_create(
                    partnership=partnership,
                    name=form.cleaned_data["name"],
                    purpose=form.cleaned_data["purpose"],
                    by=request.user,
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("Working group created."))
                return redirect("outcomes:group_settings", pk=group.pk)
    return render(
        request,
        "outcomes/plans/groups.html",
        {
            "partnership": partnership,
            "groups": selectors.partnership_groups(partnership=partnership),
            "form": form if can_change else None,
        },
    )


@login_required
@permission_required("outcomes.change_working_groups", fn=_group_partnership, raise_exception=True)
def group_settings(request, pk):
    group = _group(request, pk)
    rename = GroupForm(initial={"name": group.name, "purpose": group.purpose}, prefix="group")
    candidates = selectors.member_candidates(group=group)
    add = MemberForm(candidates=candidates, prefix="member")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "rename":
                rename = GroupForm(request.POST, prefix="group")
                if rename.is_valid():
                    services.working_group_rename(
                        group=group,
                        name=rename.cleaned_data["name"],
                        purpose=rename.cleaned_data["purpose"],
                        by=request.user,
                    )
                    messages.success(request, _("Working group saved."))
                    return redirect("outcomes:group_settings", pk=group.pk)
            elif action == "add":
                add = MemberForm(request.POST, candidates=candidates, prefix="member")
                if add.is_valid():
                    user = get_object_or_404(User, pk=add.cleaned_data["user"])
                    services.working_group_add_member(group=group, user=user, by=request.user)
                    messages.success(request, _("%(name)s added.") % {"name": user.display_name})
                    return redirect("outcomes:group_settings", pk=group.pk)
            elif action == "remove":
                member = get_object_or_404(
                    WorkingGroupMember, group=group, pk=_int(request.POST.get("member"))
                )
                services.working_group_remove_member(member=member, by=request.user)
                messages.success(request, _("Member removed."))
                return redirect("outcomes:group_settings", pk=group.pk)
            elif action == "close":
                services.working_group_close(group=group, by=request.user)
                messages.success(request, _("Working group closed. Its plan stays readable."))
                return redirect("outcomes:groups", pk=group.partnership_id)
            else:
                messages.error(request, _("Nothing was changed."))
        except ValidationError as error:
            form = add if action == "add" else rename
            if action in ("add", "rename"):
                add_validation_error(form, error)
            else:
                errors_to_messages(request, error)
    members = list(group.memberships.select_related("user", "city"))
    return render(
        request,
        "outcomes/plans/group.html",
        {"group": group, "members": members, "rename": rename, "add": add},
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@permission_required("outcomes.view_plan", fn=_group, raise_exception=True)
def plan(request, pk):
    group = _group(request, pk)
    years = selectors.plan_years(group=group)
    return render(
        request,
        "outcomes/plans/plan.html",
        {
            "group": group,
            "plan": selectors.plan_for_page(group=group),
            "years": years,
            "indicators": indicator_rows(group=group, years=years),
            "can_edit": request.user.has_perm("outcomes.change_plan", group)
            and group.closed_at is None,
            "can_manage": request.user.has_perm(
                "outcomes.change_working_groups", group.partnership
            ),
            "this_year": timezone.localdate().year,
            "hidden_label": small_groups.HIDDEN_LABEL,
        },
    )


def _activity_input(form) -> services.ActivityInput:
    data = form.cleaned_data
    return services.ActivityInput(
        title=data["title"],
        description=data["description"],
        owner_id=data["owner"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        status=data["status"],
    )


@login_required
@permission_required("outcomes.change_plan", fn=_group, raise_exception=True)
def activity_new(request, pk):
    group = _group(request, pk)
    members = list(group.memberships.select_related("user"))
    form = ActivityForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.plan_activity_create(
                group=group, data=_activity_input(form), by=request.user
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Activity added. Add its budget lines below."))
            return redirect("outcomes:activity", pk=activity.pk)
    return render(
        request,
        "outcomes/plans/activity.html",
        {"group": group, "activity": None, "form": form, "can_edit": True},
    )


@login_required
@permission_required("outcomes.view_plan", fn=_activity_group, raise_exception=True)
def activity(request, pk):
    activity = _activity(pk)
    group = activity.group
    can_edit = request.user.has_perm("outcomes.change_plan", group) and group.closed_at is None
    members = list(group.memberships.select_related("user"))
    initial = {
        "title": activity.title,
        "description": activity.description,
        "owner": activity.owner_id,
        "starts_on": activity.starts_on,
        "ends_on": activity.ends_on,
        "status": activity.status,
    }
    form = ActivityForm(initial=initial, members=members)
    line_form = BudgetLineForm(partnership=group.partnership, prefix="line")
    lines = list(activity.budget_lines.select_related("city"))
    edits = {
        line.pk: BudgetLineEditForm(
            initial={"label": line.label, "planned": line.planned, "spent": line.spent},
            prefix=f"line-{line.pk}",
        )
        for line in lines
    }
    if request.method == "POST":
        _require(request, "outcomes.change_plan", group)
        action = request.POST.get("action")
        try:
            if action == "save":
                form = ActivityForm(request.POST, members=members)
                if form.is_valid():
                    services.plan_activity_update(
                        activity=activity, data=_activity_input(form), by=request.user
                    )
                    messages.success(request, _("Activity saved."))
                    return redirect("outcomes:activity", pk=activity.pk)
            elif action == "add-line":
                line_form = BudgetLineForm(
                    request.POST, partnership=group.partnership, prefix="line"
                )
                if line_form.is_valid():
                    data = line_form.cleaned_data
                    services.budget_line_add(
                        activity=activity,
                        city_id=data["city"],
                        label=data["label"],
                        planned=data["planned"],
                        spent=data["spent"],
                        by=request.user,
                    )
                    messages.success(request, _("Budget line added."))
                    return redirect("outcomes:activity", pk=activity.pk)
            elif action in ("edit-line", "delete-line"):
                line = get_object_or_404(
                    BudgetLine, activity=activity, pk=_int(request.POST.get("line"))
                )
                if action == "delete-line":
                    services.budget_line_delete(line=line, by=request.user)
                    messages.success(request, _("Budget line removed."))
                    return redirect("outcomes:activity", pk=activity.pk)
                edits[line.pk] = BudgetLineEditForm(request.POST, prefix=f"line-{line.pk}")
                if edits[line.pk].is_valid():
                    data = edits[line.pk].cleaned_data
                    services.budget_line_update(
                        line=line,
                        label=data["label"],
                        planned=data["planned"],
                        spent=data["spent"],
                        by=request.user,
                    )
                    messages.success(request, _("Budget line saved."))
                    return redirect("outcomes:activity", pk=activity.pk)
            elif action == "delete":
                services.plan_activity_delete(activity=activity, by=request.user)
                messages.success(request, _("Activity removed."))
                return redirect("outcomes:plan", pk=group.pk)
            else:
                messages.error(request, _("Nothing was changed."))
        except ValidationError as error:
            target = {"save": form, "add-line": line_form}.get(action)
            if target is not None:
                add_validation_error(target, error)
            elif action == "edit-line":
                add_validation_error(edits[line.pk], error)
            else:
                errors_to_messages(request, error)
    return render(
        request,
        "outcomes/plans/activity.html",
        {
            "group": group,
            "activity": activity,
            "form": form,
            "line_form": line_form,
            "lines": [(line, edits[line.pk]) for line in lines],
            "can_edit": can_edit,
            "overdue": selectors.is_overdue(activity, timezone.localdate()),
        },
    )


def _indicator_page(request, group, indicator):
    years = selectors.plan_years(group=group)
    can_edit = request.user.has_perm("outcomes.change_plan", group) and group.closed_at is None
    initial = {}
    if indicator is not None:
        initial = {"name": indicator.name, "measure": indicator.measure, "unit": indicator.unit}
        for target in indicator.targets.all():
            initial[f"target_{target.year}"] = target.target
        for value in indicator.values.all():
            initial[f"value_{value.year}"] = value.value
            initial[f"note_{value.year}"] = value.note
    form = IndicatorForm(initial=initial, partnership=group.partnership, years=years)
    if request.method == "POST":
        _require(request, "outcomes.change_plan", group)
        if request.POST.get("action") == "delete" and indicator is not None:
            try:
                services.indicator_delete(indicator=indicator, by=request.user)
            except ValidationError as error:
                errors_to_messages(request, error)
            else:
                messages.success(request, _("Indicator removed."))
            return redirect("outcomes:plan", pk=group.pk)
        form = IndicatorForm(request.POST, partnership=group.partnership, years=years)
        if form.is_valid():
            data = services.IndicatorInput(
                name=form.cleaned_data["name"],
                measure=form.cleaned_data["measure"],
                unit=form.cleaned_data["unit"],
                targets=form.targets(),
                values=form.values(),
            )
            try:
                saved = services.indicator_save(
                    group=group, data=data, by=request.user, indicator=indicator
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("Indicator saved."))
                return redirect("outcomes:indicator", pk=saved.pk)
    rows = indicator_rows(group=group, years=years) if indicator is not None else []
    row = next((r for r in rows if r.indicator.pk == indicator.pk), None) if indicator else None
    return render(
        request,
        "outcomes/plans/indicator.html",
        {
            "group": group,
            "indicator": indicator,
            "form": form,
            "row": row,
            "can_edit": can_edit,
            "measure_label": dict(measure_choices(group.partnership)).get(indicator.measure)
            if indicator
            else "",
            "this_year": timezone.localdate().year,
            "hidden_label": small_groups.HIDDEN_LABEL,
        },
    )


@login_required
@permission_required("outcomes.change_plan", fn=_group, raise_exception=True)
def indicator_new(request, pk):
    return _indicator_page(request, _group(request, pk), None)


@login_required
@permission_required("outcomes.view_plan", fn=_indicator_group, raise_exception=True)
def indicator(request, pk):
    indicator = _indicator(pk)
    return _indicator_page(request, indicator.group, indicator)
