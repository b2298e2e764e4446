"""What every admin form does to the text editors type or paste: no control characters kept."""

from functools import cache

from django import forms
from django.db import models
from django.http import HttpRequest

from .text import without_control_characters


class _WithoutControlCharacters:
    """A text form field that removes control characters before anything else reads the text."""

    def to_python(self, value):
        if isinstance(value, str):
            value = without_control_characters(value)
        return super().to_python(value)


@cache
def _without_control_characters(field_class: type[forms.Field]) -> type[forms.Field]:
    return type(field_class.__name__, (_WithoutControlCharacters, field_class), {})


class ControlCharacterFreeAdmin:
    """For a ModelAdmin or an inline: every text field of its forms (CharField, TextField,
    URLField, translated fields…) removes the control characters of what is sent, as the
    BibTeX import does, so that no feed or export ever meets one."""

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(formfield, forms.CharField) and not isinstance(
            formfield, _WithoutControlCharacters
        ):
            # The field keeps its own class, widget and options: only its reading changes.
            formfield.__class__ = _without_control_characters(type(formfield))
        return formfield
