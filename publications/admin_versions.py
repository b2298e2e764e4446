"""The admin's other versions of a work: edited as part of the publication, and the two
corrections made from one of them (split it out, cite it instead), each confirmed first."""

from collections.abc import Callable
from dataclasses import dataclass

import reversion
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ControlCharacterFreeAdmin
from profiles.admin import HTTPS_URL_FIELDS

from .models import Publication, PublicationVersion
from .services.versions import describe, version_make_cited, version_split


def _has_publication_perm(request: HttpRequest, action: str) -> bool:
    opts = Publication._meta
    return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")


class PublicationVersionInline(ControlCharacterFreeAdmin, admin.StackedInline):
    """The work's other versions (its preprint, the report it grew from).

    A version is part of its publication, as an author row is: whoever may change the
    publication may edit, add or remove its versions, without rights of their own.
    """

    model = PublicationVersion
    fields = [
        "title",
        "kind",
        "year",
        "venue",
        "volume",
        "issue",
        "pages",
        "publisher",
        "institution",
        "number",
        "doi",
        "arxiv_id",
        "url",
        "source_key",
    ]
    readonly_fields = ["version_actions"]
    formfield_overrides = HTTPS_URL_FIELDS
    extra = 0
    verbose_name_plural = _("other versions of this work")

    def get_fields(self, request: HttpRequest, obj=None):
        # Not in ``fields``: the edit history reads those as the columns of the rows.
        return [*self.fields, "version_actions"]

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _has_publication_perm(request, "view") or _has_publication_perm(request, "change")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return _has_publication_perm(request, "change")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return _has_publication_perm(request, "change")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return _has_publication_perm(request, "change")

    @admin.display(description=_("correct a merge"))
    def version_actions(self, version: PublicationVersion) -> str:
        if version.pk is None:
            return "—"
        args = [version.publication_id, version.pk]
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:publications_publication_version_split", args=args),
            _("Split into its own publication"),
            reverse("admin:publications_publication_version_cite", args=args),
            _("Cite this version instead"),
        )


@dataclass(frozen=True)
class VersionAction:
    """A correction made from one of a publication's other versions, confirmed on a page of
    its own."""

    title: Promise
    explanation: Promise
    button: Promise
    done: Promise  # the success message, with {version} and a link to {url} named {title}
    before: Promise  # the history's comments, before and after, with %(version)s and %(title)s
    comment: Promise
    service: Callable[..., Publication]
    needs_add_permission: bool


VERSION_SPLIT = VersionAction(
    title=_("Split a version into its own publication"),
    explanation=_(
        "The version “%(version)s” becomes a publication of its own, with its fields, the same "
        "authors, editors and research topics, and is no longer listed under “%(title)s”. Do "
        "this when the version is another work that was merged by mistake."
    ),
    button=_("Split into its own publication"),
    done=_('The version “{version}” is now its own publication: <a href="{url}">{title}</a>.'),
    before=_("Before splitting the version “%(version)s” out of “%(title)s”."),
    comment=_("Split the version “%(version)s” out of “%(title)s”."),
    service=version_split,
    needs_add_permission=True,
)
VERSION_CITE = VersionAction(
    title=_("Cite another version"),
    explanation=_(
        "“%(title)s” will be cited as the version “%(version)s”: its kind, year, venue and "
        "the other citation fields are taken from this version, and the version cited until "
        "now is kept among the other versions."
    ),
    button=_("Cite this version instead"),
    done=_(
        '<a href="{url}">{title}</a> is now cited as “{version}”; the version cited before '
        "is listed among its other versions."
    ),
    before=_("Before citing the version “%(version)s” of “%(title)s”."),
    comment=_("Cited the version “%(version)s” of “%(title)s”."),
    service=version_make_cited,
    needs_add_permission=False,
)


class VersionActionsAdmin:
    """For the publication admin: the pages that correct a merge from one of the other
    versions."""

    def get_urls(self):
        def version_view(action: VersionAction):
            def view(request: HttpRequest, publication_id: int, version_id: int):
                return self.version_action_view(request, publication_id, version_id, action)

            return self.admin_site.admin_view(view)

        return [
            path(
                "<int:publication_id>/versions/<int:version_id>/split/",
                version_view(VERSION_SPLIT),
                name="publications_publication_version_split",
            ),
            path(
                "<int:publication_id>/versions/<int:version_id>/cite/",
                version_view(VERSION_CITE),
                name="publications_publication_version_cite",
            ),
            *super().get_urls(),
        ]

    def version_action_view(
        self, request: HttpRequest, publication_id: int, version_id: int, action: VersionAction
    ) -> HttpResponse:
        """Confirm (GET), then make (POST) a correction from one of the other versions."""
        version = get_object_or_404(
            PublicationVersion.objects.select_related("publication"),
            pk=version_id,
            publication_id=publication_id,
        )
        publication = version.publication
        if not self.has_change_permission(request, publication) or (
            action.needs_add_permission and not self.has_add_permission(request)
        ):
            raise PermissionDenied
        change_url = reverse("admin:publications_publication_change", args=[publication.pk])
        if request.method == "POST":
            try:
                result = self._apply_version_action(request, version, action)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return HttpResponseRedirect(change_url)
            url = reverse("admin:publications_publication_change", args=[result.pk])
            self.message_user(
                request,
                format_html(str(action.done), version=describe(version), url=url, title=result),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(url)
        names = {"version": describe(version), "title": publication.title}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": action.title,
            "explanation": action.explanation % names,
            "button": action.button,
            "publication": publication,
            "version": version,
            "parent_url": change_url,
        }
        return TemplateResponse(
            request, "admin/publications/publication/version_action.html", context
        )

    @transaction.atomic
    def _apply_version_action(
        self, request: HttpRequest, version: PublicationVersion, action: VersionAction
    ) -> Publication:
        """The correction, between two revisions: the publication as it was (reverting to it
        undoes the correction), then every publication it changed."""
        publication = version.publication
        names = {"version": describe(version), "title": publication.title}
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(action.before % names)
            reversion.add_to_revision(publication)
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(action.comment % names)
            result = action.service(version=version)
            for changed in Publication.objects.filter(pk__in={publication.pk, result.pk}):
                reversion.add_to_revision(changed)
        return result
