"""Model fields that clean identifiers the way editors paste them before validating them, and
a portrait field that survives a missing file."""

import logging

from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import (
    normalize_dblp_pid,
    normalize_openalex_author_id,
    normalize_orcid,
    normalize_semantic_scholar_author_id,
    validate_dblp_pid,
    validate_openalex_author_id,
    validate_orcid,
    validate_semantic_scholar_author_id,
)

logger = logging.getLogger(__name__)

# How long an identifier may be as pasted, address included.
PASTED_MAX_LENGTH = 300


class PastedIdentifierField(models.CharField):
    """An identifier stored in its normal form (``normalize``), whatever form it was pasted in:
    the model cleans it, and a direct save or update stores it normalised too (CharField
    prepares a value for the database through to_python)."""

    stored_max_length = 100  # the longest normal form

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", self.stored_max_length)
        super().__init__(*args, **kwargs)

    @staticmethod
    def normalize(value: str) -> str:
        return value.strip()

    def formfield(self, **kwargs):
        # A pasted address is longer than the identifier it holds: the form lets it through,
        # and to_python() shortens it before the model checks the length.
        return super().formfield(**{"max_length": PASTED_MAX_LENGTH, **kwargs})

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalize(value) if value else value

    def run_validators(self, value):
        # The form expected is the one thing to say about a wrong identifier: an address of
        # another kind is also too long, and saying so would only mislead.
        if value not in self.empty_values:
            for validate in self.default_validators:
                validate(value)
        super().run_validators(value)


class OrcidField(PastedIdentifierField):
    """An ORCID iD stored as 0000-0000-0000-000X; a pasted orcid.org URL is accepted."""

    description = _("ORCID iD")
    default_validators = [validate_orcid]
    normalize = staticmethod(normalize_orcid)
    stored_max_length = 19


class OpenAlexAuthorField(PastedIdentifierField):
    """An OpenAlex author id stored as A5023888391; a pasted openalex.org URL is accepted."""

    description = _("OpenAlex author id")
    default_validators = [validate_openalex_author_id]
    normalize = staticmethod(normalize_openalex_author_id)
    stored_max_length = 32


class DblpPersonField(PastedIdentifierField):
    """A DBLP person id stored as 123/4567 or b/YoshuaBengio; its dblp.org page is accepted."""

    description = _("DBLP person id")
    default_validators = [validate_dblp_pid]
    normalize = staticmethod(normalize_dblp_pid)
    stored_max_length = 100


class SemanticScholarAuthorField(PastedIdentifierField):
    """A Semantic Scholar author id stored as its digits; the author's page is accepted."""

    description = _("Semantic Scholar author id")
    default_validators = [validate_semantic_scholar_author_id]
    normalize = staticmethod(normalize_semantic_scholar_author_id)
    stored_max_length = 20


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
