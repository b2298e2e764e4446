"""The admin's merges of publications that are one work: the action on the selected ones, and
the merge an editor chooses when the form finds that a record being saved is a stored work."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Publication
from .services import publication_merge

# Set on the request by a save that is to be merged into a stored publication, once the admin
# has recorded the save: (the publication saved, the publication it is merged into).
MERGE_AFTER_SAVE = "publication_merge_after_save"


class MergeAfterSaveError(Exception):
    """The merge that followed a save failed: the save is undone with it."""


class MergeAdmin:
    """For the publication admin: the merge action, and the add and change forms' merge of the
    record saved into the stored publication the editor chose."""

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        # Merging deletes the record just saved, as the merge action does.
        may_merge = self.has_change_permission(request) and self.has_delete_permission(request)
        return type(form_class.__name__, (form_class,), {"may_merge": may_merge})

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if getattr(form, "merge_target", None) is not None:
            setattr(request, MERGE_AFTER_SAVE, (form.instance, form.merge_target))

    def response_add(self, request: HttpRequest, obj, post_url_continue=None):
        if hasattr(request, MERGE_AFTER_SAVE):
            return HttpResponse(status=204)  # replaced by the merge's own page
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj):
        if hasattr(request, MERGE_AFTER_SAVE):
            return HttpResponse(status=204)  # replaced by the merge's own page
        return super().response_change(request, obj)

    def add_view(self, request: HttpRequest, form_url="", extra_context=None):
        return self._then_merge(request, super().add_view, form_url, extra_context)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        return self._then_merge(request, super().change_view, object_id, form_url, extra_context)

    def _then_merge(self, request: HttpRequest, view, *args) -> HttpResponse:
        """Run the add or change view; when the editor chose to merge the record into a stored
        publication, merge it once the view has recorded the save (the merge records revisions
        of its own), all in one transaction."""
        try:
            with transaction.atomic():
                response = view(request, *args)
                if not hasattr(request, MERGE_AFTER_SAVE):
                    return response
                saved, target = getattr(request, MERGE_AFTER_SAVE)
                return self._merge_saved(request, saved, target)
        except MergeAfterSaveError as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _merge_saved(self, request: HttpRequest, saved: Publication, target: Publication):
        try:
            report = publication_merge(keep=target, duplicates=[saved], user=request.user)
        except ValidationError as error:
            raise MergeAfterSaveError(
                gettext("Nothing was saved: the merge failed (%(reason)s).")
                % {"reason": " ".join(error.messages)}
            ) from error
        self.message_user(
            request,
            gettext("“%(saved)s” was merged into “%(kept)s”.")
            % {"saved": saved.title, "kept": report.kept.title},
            messages.SUCCESS,
        )
        url = reverse("admin:publications_publication_change", args=[report.kept.pk])
        return HttpResponseRedirect(url)

    @admin.action(
        description=_("Merge the selected publications"), permissions=["change", "delete"]
    )
    def merge(self, request: HttpRequest, queryset: QuerySet):
        publications = list(queryset.order_by("created_at", "pk"))
        if len(publications) < 2:
            self.message_user(
                request, _("Select at least two publications to merge."), messages.WARNING
            )
            return None
        keep_id = request.POST.get("keep")
        if keep_id:
            keep = next((p for p in publications if str(p.pk) == keep_id), None)
            if keep is None:
                self.message_user(
                    request, _("Choose one of the selected publications to keep."), messages.ERROR
                )
                return None
            report = publication_merge(keep=keep, duplicates=publications, user=request.user)
            self.message_user(
                request,
                _("Merged %(count)d publications into “%(title)s”.")
                % {"count": len(report.removed), "title": report.kept.title},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Merge publications"),
            "publications": publications,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/publications/publication/merge.html", context)
