"""Editors' preview of unpublished entries: who may see a draft's public page, how that page is
answered, and the admin's bulk publish and unpublish actions."""

import reversion
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


def may_preview(user, model: type[models.Model]) -> bool:
    """Whether ``user`` is an editor who may see drafts of ``model`` on the public pages."""
    opts = model._meta
    return bool(
        user.is_active
        and user.is_staff
        and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    )


def preview_response(
    request: HttpRequest, template_name: str, context: dict, entry: models.Model
) -> HttpResponse:
    """An editor's view of a draft's public page: a banner says it is not published and
    links to its admin page; search engines and shared caches are told to leave it alone."""
    opts = entry._meta
    context = {
        **context,
        "preview": True,
        "preview_admin_url": reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change", args=[entry.pk]
        ),
    }
    response = render(request, template_name, context)
    patch_cache_control(response, private=True, no_store=True)
    return response


class PublishActionsMixin:
    """Bulk publish and unpublish actions for models with an ``is_published`` flag."""

    actions = ["publish", "unpublish"]

    @admin.action(description=_("Publish the selected entries"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_published(request, queryset, published=True)

    @admin.action(description=_("Unpublish the selected entries"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_published(request, queryset, published=False)

    def _set_published(self, request: HttpRequest, queryset: QuerySet, *, published: bool):
        # One save per object keeps auto_now timestamps and save() logic right. Only the flag
        # is written: whatever else another editor has just changed stays as they saved it.
        changed = 0
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(str(_("Published.") if published else _("Unpublished.")))
            for obj in queryset.exclude(is_published=published):
                obj.is_published = published
                obj.save(update_fields=["is_published", "updated_at"])
                changed += 1
        if published:
            message = ngettext(
                "%(count)d entry published.", "%(count)d entries published.", changed
            )
        else:
            message = ngettext(
                "%(count)d entry unpublished.", "%(count)d entries unpublished.", changed
            )
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)
