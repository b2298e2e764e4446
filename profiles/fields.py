"""Model fields that clean identifiers the way editors paste them before validating them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import normalize_orcid, validate_orcid


class OrcidField(models.CharField):
    """An ORCID iD stored as 0000-0000-0000-000X; a pasted orcid.org URL is accepted."""

    description = _("ORCID iD")
    default_validators = [validate_orcid]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 19)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_orcid(value) if value else value
