"""Citation counts read by the harvest, written on stored publications directly: they are not
curated fields, so no editor reviews them; where each count came from is recorded."""

from datetime import datetime

from core.caching import pages_changed
from publications.models import FieldOrigin, FieldSource, Publication, PublicationCitationYear
from publications.services.provenance import provenance_write
from publications.services.saving import UPDATE_BATCH_SIZE

from .works import MergedWork


def citations_refresh(items: list[tuple[Publication, MergedWork]], now: datetime) -> list[str]:
    """Write the counts (in all, and per year) of each publication that differ from those
    stored, in a few queries for all of them; the source of each publication's counts that
    changed."""
    counted = [(p, merged) for p, merged in items if merged.work.cited_by_count is not None]
    stored = _stored_years([publication.pk for publication, _merged in counted])
    changed, years, sources, origins = [], [], [], []
    for publication, merged in counted:
        work = merged.work
        new_years = {
            year: count
            for year, count in work.counts_by_year.items()
            if stored.get((publication.pk, year)) != count
        }
        if publication.cited_by_count == work.cited_by_count and not new_years:
            continue
        publication.cited_by_count, publication.citations_read_at = work.cited_by_count, now
        changed.append(publication)
        years += [
            PublicationCitationYear(publication=publication, year=year, count=count)
            for year, count in new_years.items()
        ]
        source, source_id = merged.origin_of("cited_by_count")
        sources.append(source)
        origins.append(_origin(publication, source, source_id, now))
    _write(changed, years, origins)
    return sources


def _stored_years(publication_ids: list[int]) -> dict[tuple[int, int], int]:
    rows = PublicationCitationYear.objects.filter(publication__in=publication_ids)
    return {(p, year): count for p, year, count in rows.values_list("publication", "year", "count")}


def _origin(publication: Publication, source: str, source_id: str, now: datetime) -> FieldSource:
    return FieldSource(
        publication=publication,
        field_name="cited_by_count",
        origin=FieldOrigin.HARVEST,
        source=source,
        source_id=source_id[:255],
        recorded_at=now,
    )


def _write(changed: list[Publication], years: list, origins: list[FieldSource]) -> None:
    if not changed:
        return
    Publication.objects.bulk_update(
        changed, ["cited_by_count", "citations_read_at"], batch_size=UPDATE_BATCH_SIZE
    )
    PublicationCitationYear.objects.bulk_create(
        years, update_conflicts=True, unique_fields=["publication", "year"], update_fields=["count"]
    )
    provenance_write(origins, keep_locks=True)
    # Bulk writes send no signal: the pages that show the counts are built again.
    pages_changed()
