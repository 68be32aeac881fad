from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Wraps every field in one div, so label, help, error and input stay together."""

    field_template_name = "includes/field.html"
