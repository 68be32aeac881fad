from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve and erase")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (told to the student if you refuse)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConfirmDeletionForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: once a coordinator approves, my data is gone for good."),
        required=True,
    )
