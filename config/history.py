"""Editors never lose work: every change is a revision they can compare and revert, a deleted
entry can be recovered, and a save over someone else's newer change is refused.

``EditHistoryAdmin`` adds to a model admin, on top of django-reversion's ``VersionAdmin``
(history, revert to any version, recover deleted):

- a readable comparison of two versions, field by field, from the history page;
- a snapshot of what is deleted, so that "recover deleted" brings back exactly that entry,
  even one that arrived in bulk and had no history yet;
- optimistic concurrency: the change form carries a signed snapshot of the entry as the editor
  first saw it. When the entry has changed since, the save is refused with a message naming
  who changed it, when, and which fields; the editor's input stays in the form, and saving
  again (having seen the message) goes through.
"""

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

import reversion
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from reversion.admin import VersionAdmin
from reversion.models import Revision, Version

SNAPSHOT_FIELD = "edit_snapshot"
SNAPSHOT_SALT = "config.history.snapshot"


def object_state(obj: models.Model, field_names: Iterable[str], inlines: Iterable) -> dict:
    """What an editor sees of ``obj`` in its change form: the form's model fields (as text,
    many-to-many as sorted keys) and the rows of each inline."""
    state: dict[str, object] = {}
    for name in field_names:
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field
            continue
        if field.many_to_many:
            state[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
        elif field.concrete:
            state[name] = field.value_to_string(obj)
    for inline in inlines:
        rows = inline.model._default_manager.filter(**{inline.fk_name_for(obj): obj.pk})
        names = [n for n in inline.fields or () if n != "id"]
        state[f"inline:{inline.model._meta.label}"] = [
            list(row) for row in rows.order_by("pk").values_list("pk", *names)
        ]
    return state


def _changed_labels(form_class, inlines, before: dict, after: dict) -> list[str]:
    labels = []
    for key in after:
        if before.get(key) == after[key]:
            continue
        if key.startswith("inline:"):
            inline = next(i for i in inlines if f"inline:{i.model._meta.label}" == key)
            labels.append(str(inline.verbose_name_plural))
        elif key in form_class.base_fields:
            labels.append(str(form_class.base_fields[key].label or key))
    return labels


class _InlineInfo:
    """The inline model and the name of its key to the parent, for :func:`object_state`."""

    def __init__(self, inline):
        self.model = inline.model
        self.fields = inline.fields
        self.verbose_name_plural = inline.verbose_name_plural or inline.model._meta.verbose_name
        self._fk_name = inline.fk_name

    def fk_name_for(self, obj: models.Model) -> str:
        if self._fk_name:
            return self._fk_name
        for field in self.model._meta.get_fields():
            if field.many_to_one and field.related_model is type(obj):
                return field.name
        raise LookupError(f"{self.model} has no key to {type(obj)}")


def last_change(obj: models.Model) -> Version | None:
    """The latest recorded version of ``obj``, with its revision and editor."""
    return (
        Version.objects.get_for_object(obj)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
        .first()
    )


def conflict_message(obj: models.Model, labels: list[str]) -> str:
    version = last_change(obj)
    who = ""
    if version is not None:
        user = version.revision.user
        who = _("%(editor)s, on %(date)s") % {
            "editor": (user.get_full_name() or user.get_username()) if user else _("someone"),
            "date": localize(template_localtime(version.revision.date_created)),
        }
    fields = ", ".join(labels) or _("its data")
    if who:
        return _(
            "Someone else changed this entry while you were editing it (%(who)s). "
            "What they changed: %(fields)s. Your input is kept below: compare it with the "
            "current entry (open it in a new tab), then save again to keep your version."
        ) % {"who": who, "fields": fields}
    return _(
        "Someone else changed this entry while you were editing it. What they changed: "
        "%(fields)s. Your input is kept below: compare it with the current entry (open it in "
        "a new tab), then save again to keep your version."
    ) % {"fields": fields}


class ConcurrentEditForm(forms.ModelForm):
    """A change form that refuses to overwrite a change made since it was opened."""

    edit_snapshot = forms.CharField(widget=forms.HiddenInput, required=False)

    # Set by EditHistoryAdmin.get_form for an existing entry.
    current_state: dict | None = None
    inline_info: tuple = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.current_state is not None:
            self.fields[SNAPSHOT_FIELD].initial = signing.dumps(
                self.current_state, salt=SNAPSHOT_SALT
            )

    def clean(self):
        cleaned = super().clean()
        if self.current_state is None:
            return cleaned
        field_name = self.add_prefix(SNAPSHOT_FIELD)
        try:
            seen = signing.loads(self.data.get(field_name, ""), salt=SNAPSHOT_SALT)
        except signing.BadSignature:
            seen = None
        if seen != self.current_state:
            labels = (
                _changed_labels(type(self), self.inline_info, seen, self.current_state)
                if seen is not None
                else []
            )
            # Saving again means "I have seen it": the next snapshot is the current entry.
            self.data = self.data.copy()
            self.data[field_name] = signing.dumps(self.current_state, salt=SNAPSHOT_SALT)
            raise ValidationError(conflict_message(self.instance, labels), code="conflict")
        return cleaned


class EditHistoryAdmin(VersionAdmin):
    """History with comparison, recover deleted, and no silent overwrite (see the module)."""

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
        return type(
            form_class.__name__,
            (form_class,),
            {"current_state": state, "inline_info": inlines},
        )

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if any(SNAPSHOT_FIELD in options["fields"] for _name, options in fieldsets):
            return fieldsets
        # The snapshot rides along, hidden, in the first fieldset.
        first_name, first_options = fieldsets[0]
        fields = [*first_options["fields"], SNAPSHOT_FIELD]
        return [(first_name, {**first_options, "fields": fields}), *fieldsets[1:]]

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
    if field.many_to_many:
        related = field.related_model._default_manager.filter(pk__in=value)
        return ", ".join(sorted(str(r) for r in related)) or "—"
    if field.many_to_one or field.one_to_one:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
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
    """Attach to each revision the entries it changed, with links (a query per kind)."""
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
