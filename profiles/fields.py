"""Model fields that clean identifiers the way editors paste them before validating them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import normalize_orcid, validate_orcid

# How long an identifier may be as pasted, address included.
PASTED_MAX_LENGTH = 300


class OrcidField(models.CharField):
    """An ORCID iD stored as 0000-0000-0000-000X; a pasted orcid.org URL is accepted."""

    description = _("ORCID iD")
    default_validators = [validate_orcid]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 19)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        # A pasted address is longer than the identifier it holds: the form lets it through,
        # and to_python() shortens it before the model checks the length.
        return super().formfield(**{"max_length": PASTED_MAX_LENGTH, **kwargs})

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_orcid(value) if value else value
