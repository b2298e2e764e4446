"""Where each field of a publication got its value (an editor, an import, a source of the
harvest) and which fields are locked against the harvest's proposals."""

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from ..models import Authorship, FieldOrigin, FieldSource, Publication

# What a field source may name: the publication's own values (not what derives from them) and
# its lists, which an editor curates as a whole.
DERIVED_FIELDS = {"id", "search_text", "title_key", "search_vector", "created_at", "updated_at"}
LISTS = ("authors", "topics", "notices")
PROVENANCE_FIELDS = frozenset(
    [f.name for f in Publication._meta.concrete_fields if f.name not in DERIVED_FIELDS]
    + list(LISTS)
)
# The columns an upsert rewrites; ``locked`` only where the record decides it.
_REWRITTEN = ["origin", "source", "source_id", "user", "recorded_at"]


def provenance_record(
    *,
    publication: Publication,
    fields: Iterable[str],
    origin: str,
    source: str = "",
    source_id: str = "",
    user: AbstractBaseUser | None = None,
    locked: bool | None = None,
    recorded_at: datetime | None = None,
) -> list[FieldSource]:
    """Record that ``fields`` of ``publication`` now hold values from ``origin`` (and
    ``source``, where the work is ``source_id``), replacing what was recorded for them.

    An editor's values lock their fields unless ``locked`` says otherwise; other origins leave
    a field's lock as it was (a new record is unlocked) unless ``locked`` is given. Raises
    ValueError on a name that is not one of ``PROVENANCE_FIELDS``."""
    if locked is None and origin == FieldOrigin.EDITOR:
        locked = True
    rows = [
        FieldSource(
            publication=publication,
            field_name=name,
            origin=origin,
            source=source[:50],
            source_id=source_id[:255],
            user=user,
            recorded_at=recorded_at or timezone.now(),
            locked=bool(locked),
        )
        for name in dict.fromkeys(fields)
    ]
    provenance_write(rows, keep_locks=locked is None)
    return rows


def provenance_write(rows: list[FieldSource], *, keep_locks: bool) -> None:
    """Insert or replace field sources in one statement per batch, for one publication or many
    (the harvest records those of a researcher's publications at once). With ``keep_locks``,
    a field already recorded keeps its lock."""
    unknown = {row.field_name for row in rows} - PROVENANCE_FIELDS
    if unknown:
        raise ValueError(f"Not fields of a publication: {', '.join(sorted(unknown))}")
    if not rows:
        return
    FieldSource.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["publication", "field_name"],
        update_fields=_REWRITTEN if keep_locks else [*_REWRITTEN, "locked"],
    )


def locked_fields(publication: Publication) -> set[str]:
    """The fields of ``publication`` the harvest may not propose to change."""
    return locked_fields_of([publication.pk]).get(publication.pk, set())


def locked_fields_of(publication_ids: Iterable[int]) -> dict[int, set[str]]:
    """The locked fields of each of these publications (those with none are left out), in one
    query."""
    locked: dict[int, set[str]] = {}
    rows = FieldSource.objects.filter(publication__in=list(publication_ids), locked=True)
    for publication_id, name in rows.values_list("publication", "field_name"):
        locked.setdefault(publication_id, set()).add(name)
    return locked


def fields_unlock(*, publication: Publication, fields: Iterable[str]) -> int:
    """Let the harvest propose changes to ``fields`` again; how many were locked."""
    return FieldSource.objects.filter(
        publication=publication, field_name__in=list(fields), locked=True
    ).update(locked=False)


# The fields an editor may lock by hand, so that the harvest never proposes to change them: what
# a citation shows and what identifies the work.
LOCKABLE_FIELDS = (
    "title",
    "kind",
    "year",
    "month",
    "venue",
    "volume",
    "issue",
    "pages",
    "publisher",
    "abstract",
    "language",
    "doi",
    "arxiv_id",
    "url",
    "pdf_url",
    "authors",
)


def fields_lock(*, publication: Publication, fields: Iterable[str], user: AbstractBaseUser) -> None:
    """Lock ``fields`` by an editor's decision: a field already recorded keeps where its value
    came from; one never recorded is recorded as the editor's."""
    fields = set(fields) - locked_fields(publication)
    if not fields:
        return
    recorded = set(
        FieldSource.objects.filter(publication=publication, field_name__in=fields).values_list(
            "field_name", flat=True
        )
    )
    FieldSource.objects.filter(publication=publication, field_name__in=recorded).update(locked=True)
    provenance_record(
        publication=publication,
        fields=sorted(fields - recorded),
        origin=FieldOrigin.EDITOR,
        user=user,
    )


def edited_fields(form, formsets: Iterable) -> list[str]:
    """What an editor's save of the publication form changed: its fields, and its author list
    when the authorship rows changed."""
    names = [name for name in form.changed_data if name in PROVENANCE_FIELDS]
    if any(formset.model is Authorship and formset.has_changed() for formset in formsets):
        names.append("authors")
    return names


def provenance_record_edit(
    *, publication: Publication, form, formsets: Iterable, user: AbstractBaseUser
) -> list[FieldSource]:
    """Record an editor's save from the admin: each field it changed is the editor's, and
    locked."""
    rows = provenance_record(
        publication=publication,
        fields=edited_fields(form, formsets),
        origin=FieldOrigin.EDITOR,
        user=user,
    )
    if "locked_fields" in form.changed_data:
        # The editor's ticks and unticks in the form's lock list come last: an edited field
        # the editor unticked stays open to the harvest.
        before = set(form["locked_fields"].initial or [])
        chosen = set(form.cleaned_data["locked_fields"])
        fields_lock(publication=publication, fields=chosen - before, user=user)
        fields_unlock(publication=publication, fields=before - chosen)
    return rows
