"""The model admin that the apps' admin classes extend: history, comparison, recovery, merges."""

import reversion
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from reversion.admin import VersionAdmin
from reversion.models import Version

from core.admin import ControlCharacterFreeAdmin

from .conflicts import ConcurrentEditForm, EditMerge, InlineRows, edit_merge
from .history import compare_versions, moment, readable_comment
from .snapshots import SNAPSHOT_FIELD, InlineInfo, object_state

# The merge of a save, worked out once per request (get_form runs more than once) and read
# again by the inline formsets.
MERGE_ATTRIBUTE = "_edit_merge"


class EditHistoryAdmin(ControlCharacterFreeAdmin, VersionAdmin):
    """A model admin on top of django-reversion's ``VersionAdmin`` (history, revert to any
    version, recover deleted) where:

    - each save that changes something is a version, named after what changed; a save that
      changes nothing records nothing;
    - two versions can be compared field by field from the history page;
    - a deleted entry is kept in a version, so that "recover deleted" brings back exactly that
      entry, even one that arrived in bulk and had no history yet;
    - a save from a form opened before someone else's save is refused, and the form comes back
      merged with that save (see :class:`~editorial.conflicts.EditMerge`): saving it again
      keeps both.
    """

    form = ConcurrentEditForm
    object_history_template = "editorial/object_history.html"

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

    # Concurrent edits.

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or obj.pk is None:
            return form_class
        inlines = tuple(InlineInfo(inline) for inline in self.inlines)
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

    def _inline_rows(self, request: HttpRequest, obj) -> list[InlineRows]:
        """The inlines this editor may change, each with the prefix the change form gives it."""
        found, counts = [], {}
        for formset_class, inline in self.get_formsets_with_inlines(request, obj):
            prefix = formset_class.get_default_prefix()
            counts[prefix] = counts.get(prefix, 0) + 1
            if counts[prefix] != 1 or not prefix:
                prefix = f"{prefix}-{counts[prefix]}"
            if inline.has_change_permission(request, obj):
                queryset = inline.get_queryset(request)
                found.append(InlineRows(formset_class, inline, prefix, obj, queryset))
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

    # A version for each save that changes something.

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

    # The history page, and comparing two versions.

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

    def _url(self, name: str, *args) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)

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
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Changes to “%(entry)s”") % {"entry": newer.object_repr},
            "older": older,
            "newer": newer,
            "older_when": moment(older.revision.date_created),
            "newer_when": moment(newer.revision.date_created),
            "comment": readable_comment(newer.revision.comment),
            "rows": compare_versions(self.model, older, newer),
            "history_url": self._url("history", quote(object_id)),
        }
        return TemplateResponse(request, "editorial/compare.html", context)

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        """Every saved version, oldest first, each with a link comparing it with the one
        before it."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        object_id = unquote(object_id)
        versions = list(
            Version.objects.get_for_object_reference(self.model, object_id)
            .select_related("revision", "revision__user")
            .order_by("revision__date_created", "pk")
        )
        compare_url = self._url("compare", quote(object_id))
        action_list = [
            {
                "revision": version.revision,
                "when": moment(version.revision.date_created),
                "comment": readable_comment(version.revision.comment),
                "url": self._url("revision", quote(object_id), version.pk),
                "compare_url": (
                    f"{compare_url}?from={earlier.pk}&to={version.pk}" if earlier else ""
                ),
            }
            for earlier, version in zip([None, *versions], versions, strict=False)
        ]
        context = {"action_list": action_list, **(extra_context or {})}
        # VersionAdmin's own history page is replaced, not extended: skip to the admin's.
        return super(VersionAdmin, self).history_view(request, quote(object_id), context)
