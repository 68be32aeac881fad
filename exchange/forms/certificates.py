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


class CertificateBatchForm(forms.Form):
    """Which of the program's cities go in a batch; none chosen means all the coordinator's.
    Whose cities they may be is the service's decision."""

    city = forms.TypedMultipleChoiceField(label=_("Cities"), coerce=int, required=False)

    def __init__(self, *args, program_cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [(city.pk, str(city)) for city in program_cities]
