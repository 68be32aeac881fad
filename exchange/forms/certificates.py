from django import forms
from django.utils.translation import gettext_lazy as _


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CityBrandingForm(forms.Form):
    signatory_name = forms.CharField(label=_("Signatory"), max_length=100, required=False)
    emblem = forms.FileField(
        label=_("Emblem"), required=False, help_text=_("PNG or JPEG, printed at the top.")
    )
    signature = forms.FileField(
        label=_("Signature"), required=False, help_text=_("PNG or JPEG, printed above the name.")
    )
