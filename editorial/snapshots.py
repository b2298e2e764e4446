"""What an editor sees of an entry in its change form, and the signed snapshot the form carries."""

from collections.abc import Iterable
from datetime import datetime, timezone

from django import forms
from django.contrib.admin.utils import flatten
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet

SNAPSHOT_FIELD = "edit_snapshot"
# A snapshot signed under another salt does not verify: the form's next save is refused once,
# as for a form without a snapshot, and comes back with one that does.
SNAPSHOT_SALT = "editorial.snapshot"


def canonical(value):
    """``value`` as the edit snapshot holds it, the same whether it was read from the database or
    from a form: text, a sorted list of texts (many-to-many), or None when empty."""
    if value is None:
        return None
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (list, tuple, set, QuerySet)):
        return sorted(text for item in value if (text := canonical(item)) is not None)
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Stored in UTC, read from a form in the editor's time zone: the same moment.
        value = value.astimezone(timezone.utc)
    return str(value) or None


def field_state(obj: models.Model, model_field):
    """The :func:`canonical` value of one field of ``obj``."""
    if model_field.many_to_many:
        return canonical(list(getattr(obj, model_field.name).values_list("pk", flat=True)))
    return canonical(model_field.value_from_object(obj))


class InlineInfo:
    """An inline's model, the fields its rows show and its key to the parent."""

    def __init__(self, inline):
        self.model = inline.model
        self.fields = inline.fields
        self.ordering = inline.ordering or self.model._meta.ordering
        self.verbose_name_plural = (
            inline.verbose_name_plural or self.model._meta.verbose_name_plural
        )
        self._fk_name = inline.fk_name
        # Two inlines of one model (a researcher's supervisions, as supervisor and as student)
        # are told apart by their key to the parent.
        self.key = f"inline:{self.model._meta.label}" + (
            f":{self._fk_name}" if self._fk_name else ""
        )

    def fk_name_for(self, obj: models.Model) -> str:
        if self._fk_name:
            return self._fk_name
        for model_field in self.model._meta.get_fields():
            if model_field.many_to_one and model_field.related_model is type(obj):
                return model_field.name
        raise LookupError(f"{self.model} has no key to {type(obj)}")

    def field_names(self, obj: models.Model) -> list[str]:
        """The row's model fields an editor sees (the inline's ``fields``, else all)."""
        excluded = {self.model._meta.pk.name, self.fk_name_for(obj)}
        editable = [f.name for f in self.model._meta.concrete_fields if f.editable]
        if self.fields:  # in the inline's order, without what is not a field of the model
            editable = [name for name in flatten(self.fields) if name in editable]
        return [name for name in editable if name not in excluded]

    def rows(self, obj: models.Model) -> list[list]:
        """The parent's rows, oldest first: the primary key, then each field."""
        names = self.field_names(obj)
        fields = [self.model._meta.get_field(name) for name in names]
        rows = self.model._default_manager.filter(**{self.fk_name_for(obj): obj.pk}).order_by("pk")
        return [[str(row.pk), *(field_state(row, f) for f in fields)] for row in rows]


def object_state(obj: models.Model, field_names: Iterable[str], inlines: Iterable) -> dict:
    """What an editor sees of ``obj`` in its change form: the form's model fields and the rows of
    each inline, as :func:`canonical` values."""
    state: dict[str, object] = {}
    for name in field_names:
        try:
            model_field = obj._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field
            continue
        if model_field.many_to_many or model_field.concrete:
            state[name] = field_state(obj, model_field)
    for inline in inlines:
        state[inline.key] = inline.rows(obj)
    return state


def sign_state(state: dict) -> str:
    return signing.dumps(state, salt=SNAPSHOT_SALT)


def read_state(signed: str) -> dict | None:
    """The state a snapshot holds, or None when it is missing, forged or signed otherwise."""
    try:
        state = signing.loads(signed, salt=SNAPSHOT_SALT)
    except signing.BadSignature:
        return None
    return state if isinstance(state, dict) else None


class SnapshotField(forms.CharField):
    """The entry as the editor opened it, signed: never one of the changes a save makes."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data) -> bool:
        return False
