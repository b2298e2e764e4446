"""Editors never lose work: history, comparison, recovery, merged concurrent edits, activity."""

import dataclasses
import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

import reversion
from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import flatten, quote, unquote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import QuerySet
from django.forms.utils import pretty_name
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format, time_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from reversion.admin import VersionAdmin
from reversion.models import Revision, Version

from core.admin import ControlCharacterFreeAdmin

SNAPSHOT_FIELD = "edit_snapshot"
SNAPSHOT_SALT = "config.history.snapshot"
# A radio button of the conflict notice, named after a field or a list of rows: which of two
# values to save when both editors changed it.
CHOICE_PREFIX = "edit_merge:"
THEIRS, YOURS = "theirs", "yours"
# The merge of a save, worked out once per request (get_form runs more than once) and read
# again by the inline formsets.
MERGE_ATTRIBUTE = "_edit_merge"


def moment(value: datetime) -> str:
    """A date and time as editors read them: the date in their language's format, then the time
    to the second, the same in every language ("12 mars 2025 10:08:12")."""
    local = template_localtime(value)
    return f"{date_format(local)} {time_format(local, 'H:i:s')}"


def readable_comment(comment: str) -> str:
    """A revision's comment in the editor's language, without the change form's hidden snapshot
    (saves of older versions of the form named it among the changed fields)."""
    try:
        messages = json.loads(comment)
    except ValueError:
        return comment
    if not isinstance(messages, list):
        return comment
    kept = []
    for message in messages:
        changed = message.get("changed") if isinstance(message, dict) else None
        if isinstance(changed, dict) and isinstance(changed.get("fields"), list):
            fields = [name for name in changed["fields"] if name != SNAPSHOT_FIELD]
            if not fields:
                continue
            message = {**message, "changed": {**changed, "fields": fields}}
        kept.append(message)
    return LogEntry(change_message=json.dumps(kept)).get_change_message()


# What an editor sees of an entry ---------------------------------------------------------------


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


def _field_state(obj: models.Model, model_field):
    if model_field.many_to_many:
        return canonical(list(getattr(obj, model_field.name).values_list("pk", flat=True)))
    return canonical(model_field.value_from_object(obj))


class _InlineInfo:
    """An inline's model, the fields its rows show and its key to the parent."""

    def __init__(self, inline):
        self.model = inline.model
        self.fields = inline.fields
        self.ordering = inline.ordering or self.model._meta.ordering
        self.verbose_name_plural = (
            inline.verbose_name_plural or self.model._meta.verbose_name_plural
        )
        self.key = f"inline:{self.model._meta.label}"
        self._fk_name = inline.fk_name

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
        return [[str(row.pk), *(_field_state(row, f) for f in fields)] for row in rows]


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
            state[name] = _field_state(obj, model_field)
    for inline in inlines:
        state[inline.key] = inline.rows(obj)
    return state


def sign_state(state: dict) -> str:
    return signing.dumps(state, salt=SNAPSHOT_SALT)


def read_state(signed: str) -> dict | None:
    try:
        state = signing.loads(signed, salt=SNAPSHOT_SALT)
    except signing.BadSignature:
        return None
    return state if isinstance(state, dict) else None


def last_change(obj: models.Model) -> Version | None:
    """The latest recorded version of ``obj``, with its revision and editor."""
    return (
        Version.objects.get_for_object(obj)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
        .first()
    )


# Three-way merge of a save from a form older than the entry --------------------------------------


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
        return render_to_string("admin/history/conflict_notice.html", context)


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


class _InlineRows:
    """The rows an inline formset sends, and the writing of a list of rows into its data."""

    def __init__(self, formset_class, inline, prefix: str, parent: models.Model, queryset):
        self.formset_class, self.prefix = formset_class, prefix
        self.parent, self.queryset = parent, queryset
        self.info = _InlineInfo(inline)
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
            if not initial and not form.has_changed():
                continue
            start = f"{form.prefix}-"
            raw = {
                name: data.getlist(key)
                for key in data
                if key.startswith(start) and not (name := key.removeprefix(start))[:1].isdigit()
            }
            values = [self._value(form, name) for name in self.names]
            pk = (data.get(form.add_prefix(self.pk_name)) or None) if initial else None
            delete = "DELETE" in form.fields and bool(form["DELETE"].data)
            rows.append(_Row(pk, values, raw, delete))
        return rows

    @staticmethod
    def _value(form: forms.BaseForm, name: str):
        if name in form.fields:
            return _submitted(form.fields[name], form[name].data)
        # Read-only here: the row keeps what it holds.
        return _field_state(form.instance, form.instance._meta.get_field(name))

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
                _readable(model, name, value)
                for name, value in zip(self.names, values, strict=True)
                if value not in (None, [])
            )
            for values in sorted(rows, key=order)
        ]


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
                name, label, [_readable(model, name, theirs)], [_readable(model, name, yours)]
            )
        )


def _rows_changed(rows: list[_Row], base: dict[str, list]) -> bool:
    kept = [row for row in rows if not row.delete]
    return (
        any(row.pk is None for row in kept)
        or {row.pk for row in kept} != set(base)
        or any(row.values != base[row.pk] for row in kept)
    )


def _merge_rows(merge: EditMerge, inline: _InlineRows, base: list, theirs: list, files) -> None:
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


class SnapshotField(forms.CharField):
    """The entry as the editor opened it, signed: never one of the changes a save makes."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data) -> bool:
        return False


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


class EditHistoryAdmin(ControlCharacterFreeAdmin, VersionAdmin):
    """A model admin on top of django-reversion's ``VersionAdmin`` (history, revert to any
    version, recover deleted) where:

    - each save that changes something is a version, named after what changed; a save that
      changes nothing records nothing;
    - two versions can be compared field by field from the history page;
    - a deleted entry is kept in a version, so that "recover deleted" brings back exactly that
      entry, even one that arrived in bulk and had no history yet;
    - a save from a form opened before someone else's save is refused, and the form comes back
      merged with that save (see :class:`EditMerge`): saving it again keeps both.
    """

    form = ConcurrentEditForm
    object_history_template = "admin/history/object_history.html"

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        # A save locks the row until it commits, so that two saves cannot both pass the check.
        if request.method == "POST":
            queryset = self.get_queryset(request).select_for_update(of=("self",))
            field = (
                self.model._meta.pk
                if from_field is None
                else self.model._meta.get_field(from_field)
            )
            try:
                return queryset.get(**{field.name: field.to_python(object_id)})
            except (self.model.DoesNotExist, ValidationError, ValueError):
                return None
        return super().get_object(request, object_id, from_field)

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or obj.pk is None:
            return form_class
        inlines = tuple(_InlineInfo(inline) for inline in self.inlines)
        state = object_state(obj, form_class.base_fields, inlines)
        attributes = {"current_state": state}
        if request.method == "POST":
            attributes["edit_merge"] = self._edit_merge(request, obj, form_class, state)
        return type(form_class.__name__, (form_class,), attributes)

    def _edit_merge(self, request: HttpRequest, obj, form_class, state: dict) -> EditMerge:
        merge = getattr(request, MERGE_ATTRIBUTE, None)
        if merge is None:
            merge = edit_merge(
                data=request.POST,
                files=request.FILES,
                form_class=form_class,
                state=state,
                inlines=self._inline_rows(request, obj),
            )
            setattr(request, MERGE_ATTRIBUTE, merge)
        return merge

    def _inline_rows(self, request: HttpRequest, obj) -> list[_InlineRows]:
        """The inlines this editor may change, each with the prefix the change form gives it."""
        found, counts = [], {}
        for formset_class, inline in self.get_formsets_with_inlines(request, obj):
            prefix = formset_class.get_default_prefix()
            counts[prefix] = counts.get(prefix, 0) + 1
            if counts[prefix] != 1 or not prefix:
                prefix = f"{prefix}-{counts[prefix]}"
            if inline.has_change_permission(request, obj):
                queryset = inline.get_queryset(request)
                found.append(_InlineRows(formset_class, inline, prefix, obj, queryset))
        return found

    def get_formset_kwargs(self, request: HttpRequest, obj, inline, prefix: str) -> dict:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        merge = getattr(request, MERGE_ATTRIBUTE, None)
        if merge is not None and "data" in kwargs:
            kwargs["data"] = merge.data.copy()
        return kwargs

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if any(SNAPSHOT_FIELD in options["fields"] for _name, options in fieldsets):
            return fieldsets
        # The snapshot rides along, hidden, in the first fieldset.
        first_name, first_options = fieldsets[0]
        fields = [*first_options["fields"], SNAPSHOT_FIELD]
        return [(first_name, {**first_options, "fields": fields}), *fieldsets[1:]]

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        # Not VersionAdmin's revision, which keeps whatever a save wrote, changed or not: the
        # entry joins the revision in log_change, once the save has changed something.
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            return super(VersionAdmin, self).change_view(
                request, object_id, form_url, extra_context
            )

    def log_change(self, request: HttpRequest, obj, message):
        if not message:  # the editor saved the form as it was
            return None
        entry = super().log_change(request, obj, message)
        if reversion.is_active():
            reversion.add_to_revision(obj)
        return entry

    def log_addition(self, request: HttpRequest, obj, message):
        entry = super().log_addition(request, obj, message)
        if reversion.is_active():  # "save as new" from a change form
            reversion.add_to_revision(obj)
        return entry

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # Not one revision around the whole list, as VersionAdmin does: each action records
        # its own, named after what it did (a merge records two, before and after).
        return super(VersionAdmin, self).changelist_view(
            request,
            {"has_change_permission": self.has_change_permission(request), **(extra_context or {})},
        )

    # Deletions keep a version to recover.

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(_("Deleted “%(entry)s”.") % {"entry": obj})
            reversion.add_to_revision(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        entries = list(queryset)
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(
                _("Deleted: %(entries)s.") % {"entries": "; ".join(str(e) for e in entries)}
            )
            for entry in entries:
                reversion.add_to_revision(entry)
        super().delete_queryset(request, queryset)

    # Comparing two versions.

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{opts.app_label}_{opts.model_name}_compare",
            ),
            *super().get_urls(),
        ]

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        object_id = unquote(object_id)
        versions = Version.objects.get_for_object_reference(self.model, object_id)
        try:
            newer = get_object_or_404(versions, pk=int(request.GET.get("to", "")))
            older = get_object_or_404(versions, pk=int(request.GET.get("from", "")))
        except ValueError as error:
            raise Http404 from error
        if older.revision.date_created > newer.revision.date_created:
            older, newer = newer, older
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": _("Changes to “%(entry)s”") % {"entry": newer.object_repr},
            "older": older,
            "newer": newer,
            "older_when": moment(older.revision.date_created),
            "newer_when": moment(newer.revision.date_created),
            "comment": readable_comment(newer.revision.comment),
            "rows": compare_versions(self.model, older, newer),
            "history_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_history", args=[quote(object_id)]
            ),
        }
        return TemplateResponse(request, "admin/history/compare.html", context)

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        """Every saved version, oldest first, each with a link comparing it with the one
        before it."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        object_id = unquote(object_id)
        versions = list(
            Version.objects.get_for_object_reference(self.model, object_id)
            .select_related("revision", "revision__user")
            .order_by("revision__date_created", "pk")
        )
        compare_url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_compare", args=[quote(object_id)]
        )
        action_list = []
        for earlier, version in zip([None, *versions], versions, strict=False):
            action_list.append(
                {
                    "revision": version.revision,
                    "when": moment(version.revision.date_created),
                    "comment": readable_comment(version.revision.comment),
                    "url": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_revision",
                        args=[quote(object_id), version.pk],
                    ),
                    "compare_url": (
                        f"{compare_url}?from={earlier.pk}&to={version.pk}" if earlier else ""
                    ),
                }
            )
        context = {"action_list": action_list, **(extra_context or {})}
        # VersionAdmin's own history page is replaced, not extended: skip to the admin's.
        return super(VersionAdmin, self).history_view(request, quote(object_id), context)


def _readable(model: type[models.Model], name: str, value) -> str:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if value in (None, ""):
        return "—"
    try:
        if field.many_to_many:
            related = field.related_model._default_manager.filter(pk__in=value)
            return ", ".join(sorted(str(r) for r in related)) or "—"
        if field.many_to_one or field.one_to_one:
            related = field.related_model._default_manager.filter(pk=value).first()
            return str(related) if related is not None else f"#{value}"
    except (ValueError, TypeError, ValidationError):  # a key typed by hand, not a valid one
        return f"#{value}"
    if field.choices:
        # Values read from a form are text; choices may be numbers.
        return str({str(key): label for key, label in field.flatchoices}.get(str(value), value))
    return str(value)


def _word_diff(old: str, new: str):
    """The two texts with removed words in <del> and added ones in <ins>, escaped."""
    old_words, new_words = old.split(" "), new.split(" ")
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    before, after = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = " ".join(old_words[i1:i2]), " ".join(new_words[j1:j2])
        if tag == "equal":
            before.append(format_html("{}", removed))
            after.append(format_html("{}", added))
            continue
        if removed:
            before.append(format_html("<del>{}</del>", removed))
        if added:
            after.append(format_html("<ins>{}</ins>", added))
    return format_html_join(" ", "{}", ((p,) for p in before)), format_html_join(
        " ", "{}", ((p,) for p in after)
    )


def _followed_rows(version: Version, model: type[models.Model]) -> list[str]:
    """The rows of ``model`` saved in the same revision as ``version`` (authors, then editors,
    in order)."""
    rows = []
    for other in version.revision.version_set.all():
        if other._model is not model:
            continue
        data = other.field_dict
        rows.append((data.get("role") or "", data.get("position") or 0, other.object_repr))
    return [text for *_order, text in sorted(rows)]


def compare_versions(model, older: Version, newer: Version) -> list[dict]:
    """One row per field that differs between the two versions, readable by a person."""
    before, after = older.field_dict, newer.field_dict
    rows = []
    for field in model._meta.get_fields():
        if not (field.concrete or field.many_to_many) or field.auto_created:
            continue
        if not getattr(field, "editable", False) or field.name not in after:
            continue
        old, new = before.get(field.name), after.get(field.name)
        if field.many_to_many:
            old, new = sorted(old or []), sorted(new or [])
        if old == new:
            continue
        old_text, new_text = _readable(model, field.name, old), _readable(model, field.name, new)
        if isinstance(field, (models.TextField, models.CharField)) and not field.choices:
            old_html, new_html = _word_diff(old_text, new_text)
        else:
            old_html, new_html = format_html("{}", old_text), format_html("{}", new_text)
        rows.append({"label": field.verbose_name, "old": old_html, "new": new_html})
    for relation in model._meta.related_objects:
        if not relation.one_to_many:
            continue
        old_rows = _followed_rows(older, relation.related_model)
        new_rows = _followed_rows(newer, relation.related_model)
        if old_rows != new_rows and (old_rows or new_rows):
            rows.append(
                {
                    "label": relation.related_model._meta.verbose_name_plural,
                    "old": format_html_join("", "<div>{}</div>", ((r,) for r in old_rows)),
                    "new": format_html_join("", "<div>{}</div>", ((r,) for r in new_rows)),
                }
            )
    return rows


ACTIVITY_PER_PAGE = 50


@dataclass
class ActivityEntry:
    """One entry changed by a revision, as the recent activity page lists it."""

    label: str
    kind: str
    change_url: str  # empty when the entry no longer exists
    history_url: str
    recover_url: str


def _activity_entries(revisions: list[Revision], models_by_type: dict) -> None:
    """Attach to each revision the entries it changed, with links (a query per kind), and its
    time and comment as the page shows them."""
    versions = list(
        Version.objects.filter(
            revision__in=revisions, content_type__in=list(models_by_type)
        ).order_by("pk")
    )
    existing: dict[int, set[str]] = {}
    for content_type_id, model in models_by_type.items():
        ids = {v.object_id for v in versions if v.content_type_id == content_type_id}
        if ids:
            existing[content_type_id] = {
                str(pk)
                for pk in model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
            }
    by_revision: dict[int, list[ActivityEntry]] = {}
    for version in versions:
        model = models_by_type[version.content_type_id]
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        object_id = quote(version.object_id)
        alive = version.object_id in existing.get(version.content_type_id, set())
        by_revision.setdefault(version.revision_id, []).append(
            ActivityEntry(
                label=version.object_repr,
                kind=str(opts.verbose_name),
                change_url=reverse(f"{prefix}_change", args=[object_id]) if alive else "",
                history_url=reverse(f"{prefix}_history", args=[object_id]) if alive else "",
                recover_url="" if alive else reverse(f"{prefix}_recover", args=[version.pk]),
            )
        )
    for revision in revisions:
        revision.entries = by_revision.get(revision.pk, [])
        revision.when = moment(revision.date_created)
        revision.readable_comment = readable_comment(revision.comment)


def recent_activity(request: HttpRequest) -> HttpResponse:
    """The latest changes by every editor, newest first, filterable by editor and by kind of
    entry; each entry links to its page in the admin and to its history (or, once deleted,
    to its recovery)."""
    site = admin.site
    watched = [
        model
        for model, model_admin in site._registry.items()
        if isinstance(model_admin, EditHistoryAdmin)
        and model_admin.has_view_or_change_permission(request)
    ]
    if not watched:
        raise PermissionDenied
    content_types = ContentType.objects.get_for_models(*watched)
    models_by_type = {ct.pk: model for model, ct in content_types.items()}
    kinds = sorted(
        ((m._meta.model_name, str(m._meta.verbose_name_plural)) for m in watched),
        key=lambda kind: kind[1],
    )
    shown_types = list(models_by_type)
    kind = request.GET.get("kind", "")
    if kind in {name for name, _label in kinds}:
        shown_types = [ct.pk for m, ct in content_types.items() if m._meta.model_name == kind]
    revisions = (
        Revision.objects.filter(
            pk__in=Version.objects.filter(content_type__in=shown_types).values("revision")
        )
        .select_related("user")
        .order_by("-date_created", "-pk")
    )
    editors = (
        get_user_model()
        .objects.filter(pk__in=Revision.objects.values("user"))
        .order_by(get_user_model().USERNAME_FIELD)
    )
    editor = request.GET.get("editor", "")
    if editor.isdigit():
        revisions = revisions.filter(user_id=int(editor))
    page = Paginator(revisions, ACTIVITY_PER_PAGE).get_page(request.GET.get("page"))
    _activity_entries(list(page.object_list), models_by_type)
    context = {
        **site.each_context(request),
        "title": _("Recent activity"),
        "page_obj": page,
        "editors": editors,
        "kinds": kinds,
        "editor": editor,
        "kind": kind,
    }
    return TemplateResponse(request, "admin/history/recent_activity.html", context)
