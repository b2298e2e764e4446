"""Model fields that clean identifiers the way editors paste them before validating them, and
a portrait field that survives a missing file."""

import logging

from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import normalize_orcid, validate_orcid

logger = logging.getLogger(__name__)

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


class PortraitField(models.ImageField):
    """An image whose stored width and height are kept when its file is missing from storage
    (a lost volume, a database restored without its media files): Django reads the file again
    for its dimensions whenever the field is set, on every form save, and would fail there."""

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        try:
            super().update_dimension_fields(instance, force, *args, **kwargs)
        except FileNotFoundError:
            file = getattr(instance, self.attname)
            logger.warning("Portrait file missing from storage: %s", file.name)
