"""The recent activity page: every editor's latest changes, with links to each entry's history."""

from dataclasses import dataclass

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from reversion.models import Revision, Version

from .admin import EditHistoryAdmin
from .history import moment, readable_comment

ACTIVITY_PER_PAGE = 50


@dataclass
class ActivityEntry:
    """One entry changed by a revision, as the recent activity page lists it."""

    label: str
    kind: str
    change_url: str  # empty when the entry no longer exists
    history_url: str
    recover_url: str


def recent_activity(request: HttpRequest) -> HttpResponse:
    """The latest changes by every editor, newest first, filterable by editor and by kind of
    entry; each entry links to its page in the admin and to its history (or, once deleted,
    to its recovery)."""
    watched = _watched_models(request, admin.site)
    if not watched:
        raise PermissionDenied
    content_types = ContentType.objects.get_for_models(*watched)
    models_by_type = {ct.pk: model for model, ct in content_types.items()}
    kinds = sorted(
        ((m._meta.model_name, str(m._meta.verbose_name_plural)) for m in watched),
        key=lambda kind: kind[1],
    )
    kind = request.GET.get("kind", "")
    # No kind, or one that is not in the list: every kind.
    shown = [model for model in watched if model._meta.model_name == kind] or watched
    editor = request.GET.get("editor", "")
    revisions = _revisions([content_types[model].pk for model in shown], editor)
    page = Paginator(revisions, ACTIVITY_PER_PAGE).get_page(request.GET.get("page"))
    _activity_entries(list(page.object_list), models_by_type)
    context = {
        **admin.site.each_context(request),
        "title": _("Recent activity"),
        "page_obj": page,
        "editors": _editors(),
        "kinds": kinds,
        "editor": editor,
        "kind": kind,
    }
    return TemplateResponse(request, "editorial/recent_activity.html", context)


def _watched_models(request: HttpRequest, site: admin.AdminSite) -> list[type[models.Model]]:
    """The models kept with their history in ``site`` that this editor may see."""
    return [
        model
        for model in apps.get_models()
        if site.is_registered(model)
        and isinstance(model_admin := site.get_model_admin(model), EditHistoryAdmin)
        and model_admin.has_view_or_change_permission(request)
    ]


def _revisions(content_type_ids: list[int], editor: str):
    """The revisions that changed an entry of these kinds, newest first, by ``editor`` alone
    when it names one."""
    revisions = (
        Revision.objects.filter(
            pk__in=Version.objects.filter(content_type__in=content_type_ids).values("revision")
        )
        .select_related("user")
        .order_by("-date_created", "-pk")
    )
    if editor.isdigit():
        revisions = revisions.filter(user_id=int(editor))
    return revisions


def _editors():
    """Everyone who signed a revision, for the filter."""
    user_model = get_user_model()
    return user_model.objects.filter(pk__in=Revision.objects.values("user")).order_by(
        user_model.USERNAME_FIELD
    )


def _activity_entries(revisions: list[Revision], models_by_type: dict) -> None:
    """Attach to each revision the entries it changed, with links (a query per kind), and its
    time and comment as the page shows them."""
    versions = list(
        Version.objects.filter(
            revision__in=revisions, content_type__in=list(models_by_type)
        ).order_by("pk")
    )
    existing = _existing_ids(versions, models_by_type)
    by_revision: dict[int, list[ActivityEntry]] = {}
    for version in versions:
        alive = version.object_id in existing.get(version.content_type_id, set())
        entry = _activity_entry(version, models_by_type[version.content_type_id], alive=alive)
        by_revision.setdefault(version.revision_id, []).append(entry)
    for revision in revisions:
        revision.entries = by_revision.get(revision.pk, [])
        revision.when = moment(revision.date_created)
        revision.readable_comment = readable_comment(revision.comment)


def _existing_ids(versions: list[Version], models_by_type: dict) -> dict[int, set[str]]:
    """For each kind, which of the entries these versions name still exist."""
    existing: dict[int, set[str]] = {}
    for content_type_id, model in models_by_type.items():
        ids = {v.object_id for v in versions if v.content_type_id == content_type_id}
        if ids:
            existing[content_type_id] = {
                str(pk)
                for pk in model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
            }
    return existing


def _activity_entry(version: Version, model: type[models.Model], *, alive: bool) -> ActivityEntry:
    opts = model._meta
    prefix = f"admin:{opts.app_label}_{opts.model_name}"
    object_id = quote(version.object_id)
    return ActivityEntry(
        label=version.object_repr,
        kind=str(opts.verbose_name),
        change_url=reverse(f"{prefix}_change", args=[object_id]) if alive else "",
        history_url=reverse(f"{prefix}_history", args=[object_id]) if alive else "",
        recover_url="" if alive else reverse(f"{prefix}_recover", args=[version.pk]),
    )
