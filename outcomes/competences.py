"""The learning self-assessment's competences, modelled on the eight key competences for
lifelong learning (our own wording, for young people on an exchange)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Competence(models.TextChoices):
    INTERCULTURAL = "intercultural", _("Understanding other cultures")
    LANGUAGE = "language", _("Using other languages")
    DIGITAL = "digital", _("Working together online")
    SOCIAL = "social", _("Getting on with new people")
    LEARNING = "learning", _("Learning on my own")
    CITIZENSHIP = "citizenship", _("Taking part in my community")
    INITIATIVE = "initiative", _("Turning ideas into action")
    EXPRESSION = "expression", _("Expressing myself through culture and the arts")
