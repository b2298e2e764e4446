"""Concurrent edits: a save from a form older than the entry is merged three ways and shown back."""

import dataclasses
import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.utils import pretty_name
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.text import capfirst

from .history import last_change, moment, readable_value
from .snapshots import (
    SNAPSHOT_FIELD,
    InlineInfo,
    SnapshotField,
    canonical,
    field_state,
    read_state,
    sign_state,
)

# A radio button of the conflict notice, named after a field or a list of rows: which of two
# values to save when both editors changed it.
CHOICE_PREFIX = "edit_merge:"
THEIRS, YOURS = "theirs", "yours"


@dataclass
class Disagreement:
    """A field, or a list of rows, that both editors changed, each their own way."""

    key: str
    label: str
    theirs: list[str]  # readable: one value, or one line a row
    yours: list[str]
    rows: bool = False

    @property
    def choice_name(self) -> str:
        return CHOICE_PREFIX + self.key


@dataclass
class EditMerge:
    """A save merged with the entry as it is now. ``data`` is what the form and its inlines are
    bound to: when the form was opened before the entry last changed (``stale``), what only the
    other editor changed takes their value, what only this editor changed keeps theirs, and
    what both changed keeps this editor's value, shown beside the other's."""

    data: QueryDict
    stale: bool = False
    known: bool = True  # False when the form's snapshot could not be read
    taken: list[str] = dataclasses.field(default_factory=list)
    # Sets: both editors' additions and removals.
    combined: list[str] = dataclasses.field(default_factory=list)
    disagreements: list[Disagreement] = dataclasses.field(default_factory=list)

    def notice(self, obj: models.Model) -> str:
        """The refusal, naming who changed the entry, when, and what became of each change."""
        version = last_change(obj)
        user = version.revision.user if version is not None else None
        context = {
            "editor": (user.get_full_name() or user.get_username()) if user else "",
            "when": moment(version.revision.date_created) if version is not None else "",
            "merge": self,
            "disagreement_labels": [d.label for d in self.disagreements],
            "theirs": THEIRS,
            "yours": YOURS,
        }
        return render_to_string("editorial/conflict_notice.html", context)


@dataclass
class _Row:
    """One inline row: its primary key (None for a new row), its values as :func:`canonical`
    holds them, and what its form sends, by name after the form's prefix."""

    pk: str | None
    values: list
    raw: dict[str, list[str]]
    delete: bool = False

    @classmethod
    def from_state(cls, row: list, names: list[str], *, delete: bool = False) -> "_Row":
        pk, *values = row
        raw = {name: _as_data(value) for name, value in zip(names, values, strict=True)}
        return cls(pk, values, raw, delete)


def _as_data(value) -> list[str]:
    """A :func:`canonical` value as a browser sends it."""
    if isinstance(value, list):
        return value
    return ["" if value is None else value]


def _submitted(form_field: forms.Field, raw):
    """What an editor typed, as :func:`canonical` holds it (as typed when it is not valid)."""
    try:
        return canonical(form_field.to_python(raw))
    except ValidationError:
        return canonical(raw)


def _combine_sets(base: list, theirs: list, yours: list) -> list:
    """Both editors' additions and removals, applied to what the form was opened with."""
    start, their_set, your_set = set(base), set(theirs), set(yours)
    removed = (start - their_set) | (start - your_set)
    return sorted((start - removed) | (their_set - start) | (your_set - start))


class InlineRows:
    """The rows an inline formset sends, and the writing of a list of rows into its data."""

    def __init__(self, formset_class, inline, prefix: str, parent: models.Model, queryset):
        self.formset_class, self.prefix = formset_class, prefix
        self.parent, self.queryset = parent, queryset
        self.info = InlineInfo(inline)
        self.names = self.info.field_names(parent)
        self.pk_name = inline.model._meta.pk.name
        self.label = capfirst(str(self.info.verbose_name_plural))

    def submitted(self, data: QueryDict, files) -> list[_Row] | None:
        """The rows the form sends (new rows left empty left out), or None when its formset
        cannot be read."""
        formset = self.formset_class(
            data=data, files=files, instance=self.parent, prefix=self.prefix, queryset=self.queryset
        )
        if not formset.management_form.is_valid():
            return None
        rows = []
        for index, form in enumerate(formset.forms):
            initial = index < formset.initial_form_count()
            if initial or form.has_changed():
                rows.append(self._row(data, form, initial=initial))
        return rows

    def _row(self, data: QueryDict, form: forms.BaseForm, *, initial: bool) -> _Row:
        start = f"{form.prefix}-"
        raw = {
            name: data.getlist(key)
            for key in data
            if key.startswith(start) and not (name := key.removeprefix(start))[:1].isdigit()
        }
        values = [self._value(form, name) for name in self.names]
        pk = (data.get(form.add_prefix(self.pk_name)) or None) if initial else None
        delete = "DELETE" in form.fields and bool(form["DELETE"].data)
        return _Row(pk, values, raw, delete)

    @staticmethod
    def _value(form: forms.BaseForm, name: str):
        if name in form.fields:
            return _submitted(form.fields[name], form[name].data)
        # Read-only here: the row keeps what it holds.
        return field_state(form.instance, form.instance._meta.get_field(name))

    def write(self, data: QueryDict, rows: list[_Row], current: list[list]) -> None:
        """Make the formset's data save ``rows`` over the ``current`` ones: rows still there are
        changed in place, rows gone are added anew, and current rows left out are deleted."""
        current_pks = [row[0] for row in current]
        kept = {row.pk: row for row in rows if row.pk in current_pks}
        forms_data = [
            (pk, kept.get(pk) or _Row.from_state(row, self.names, delete=True))
            for pk, row in zip(current_pks, current, strict=True)
        ]
        forms_data += [(None, row) for row in rows if row.pk not in current_pks and not row.delete]
        pattern = re.compile(rf"{re.escape(self.prefix)}-\d+-(?!\d)")  # not "prefix-2-0-..."
        for key in [key for key in data if pattern.match(key)]:
            del data[key]
        fk_name = self.formset_class.fk.name
        for index, (pk, row) in enumerate(forms_data):
            start = f"{self.prefix}-{index}-"
            for name, values in row.raw.items():
                data.setlist(start + name, values)
            data[start + self.pk_name] = pk or ""
            data[start + fk_name] = str(self.parent.pk)
            data.pop(start + "DELETE", None)
            if row.delete:
                data[start + "DELETE"] = "on"
        data[f"{self.prefix}-TOTAL_FORMS"] = str(len(forms_data))
        data[f"{self.prefix}-INITIAL_FORMS"] = str(len(current))

    def readable(self, rows: list[list]) -> list[str]:
        """Rows as lines a person reads, in the list's order."""
        model = self.info.model
        ordering = [n.lstrip("-") for n in self.info.ordering if n.lstrip("-") in self.names]

        def order(values: list) -> tuple:
            by_name = dict(zip(self.names, values, strict=True))
            return tuple(
                (0, int(v)) if isinstance(v, str) and v.isdigit() else (1, str(v or ""))
                for v in (by_name[name] for name in ordering)
            )

        return [
            " · ".join(
                readable_value(model, name, value)
                for name, value in zip(self.names, values, strict=True)
                if value not in (None, [])
            )
            for values in sorted(rows, key=order)
        ]


def edit_merge(*, data: QueryDict, files, form_class, state: dict, inlines: list) -> EditMerge:
    """Merge a change form's data three ways: the entry as the form was opened (its snapshot),
    as it is now (``state``), and as this editor left it (``data``)."""
    seen = read_state(data.get(SNAPSHOT_FIELD, ""))
    merge = EditMerge(data=data.copy(), stale=seen != state, known=seen is not None)
    merge.data[SNAPSHOT_FIELD] = sign_state(state)  # saved again, the form is up to date
    if seen is None:
        return merge
    model = form_class._meta.model
    for name, form_field in form_class.base_fields.items():
        if name in state and name in seen and not _unmergeable(form_field):
            _merge_field(merge, name, form_field, seen[name], state[name], files, model)
    for inline in inlines:
        if inline.info.key in state and inline.info.key in seen:
            _merge_rows(merge, inline, seen[inline.info.key], state[inline.info.key], files)
    return merge


def _unmergeable(form_field: forms.Field) -> bool:
    # A file is sent again only when replaced (the form shows the stored one); a split widget
    # sends its value in parts.
    return (
        form_field.disabled
        or isinstance(form_field, forms.FileField)
        or isinstance(form_field.widget, forms.MultiWidget)
    )


def _merge_field(merge: EditMerge, name: str, form_field, base, theirs, files, model) -> None:
    data = merge.data
    if data.get(CHOICE_PREFIX + name) == THEIRS:  # chosen after an earlier refusal
        data.setlist(name, _as_data(base))
    if base == theirs:
        return
    yours = _submitted(form_field, form_field.widget.value_from_datadict(data, files, name))
    label = str(form_field.label or pretty_name(name))
    if yours in (base, theirs):
        data.setlist(name, _as_data(theirs))
        merge.taken.append(label)
    elif isinstance(form_field, forms.ModelMultipleChoiceField):
        data.setlist(name, _combine_sets(base, theirs, yours))
        merge.combined.append(label)
    else:
        merge.disagreements.append(
            Disagreement(
                name,
                label,
                [readable_value(model, name, theirs)],
                [readable_value(model, name, yours)],
            )
        )


def _rows_changed(rows: list[_Row], base: dict[str, list]) -> bool:
    kept = [row for row in rows if not row.delete]
    return (
        any(row.pk is None for row in kept)
        or {row.pk for row in kept} != set(base)
        or any(row.values != base[row.pk] for row in kept)
    )


def _merge_rows(merge: EditMerge, inline: InlineRows, base: list, theirs: list, files) -> None:
    """The rule for fields, applied to a list of rows as a whole."""
    data = merge.data
    if data.get(CHOICE_PREFIX + inline.info.key) == THEIRS:
        inline.write(data, [_Row.from_state(row, inline.names) for row in base], theirs)
    if base == theirs:
        return
    yours = inline.submitted(data, files)
    if yours is None:  # the formset reports its damaged data itself
        return
    kept = [row.values for row in yours if not row.delete]
    same = sorted(kept, key=repr) == sorted((row[1:] for row in theirs), key=repr)
    if same or not _rows_changed(yours, {row[0]: row[1:] for row in base}):
        inline.write(data, [_Row.from_state(row, inline.names) for row in theirs], theirs)
        merge.taken.append(inline.label)
        return
    inline.write(data, yours, theirs)
    merge.disagreements.append(
        Disagreement(
            inline.info.key,
            inline.label,
            inline.readable([row[1:] for row in theirs]),
            inline.readable(kept),
            rows=True,
        )
    )


class ConcurrentEditForm(forms.ModelForm):
    """A change form that refuses to overwrite a change made since it was opened, and comes back
    merged with it (see :class:`EditMerge`)."""

    edit_snapshot = SnapshotField(required=False)

    # Set by EditHistoryAdmin.get_form for an existing entry.
    current_state: dict | None = None
    edit_merge: EditMerge | None = None

    class Media:
        css = {"all": ("editor/conflict.css",)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.current_state is not None:
            self.fields[SNAPSHOT_FIELD].initial = sign_state(self.current_state)
        if self.is_bound and self.edit_merge is not None:
            self.data = self.edit_merge.data

    def clean(self):
        cleaned = super().clean()
        if self.edit_merge is not None and self.edit_merge.stale:
            raise ValidationError(self.edit_merge.notice(self.instance), code="conflict")
        return cleaned
