"""Merging publications that are one work: nothing any of them held is lost."""

from collections.abc import Sequence
from dataclasses import dataclass, field

import reversion
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    Authorship,
    FieldSource,
    Publication,
    PublicationCitationYear,
    PublicationNotice,
)
from .provenance import provenance_write
from .saving import save_validated
from .versions import VersionRole, fold_into


@dataclass
class MergeReport:
    kept: Publication
    removed: list[str] = field(default_factory=list)
    filled_fields: list[str] = field(default_factory=list)
    added_versions: list[str] = field(default_factory=list)
    added_authors: list[str] = field(default_factory=list)
    added_topics: list[str] = field(default_factory=list)
    added_notices: list[str] = field(default_factory=list)


@transaction.atomic
def publication_merge(
    *,
    keep: Publication,
    duplicates: Sequence[Publication],
    user: AbstractBaseUser | None = None,
) -> MergeReport:
    """Fold ``duplicates`` into ``keep`` and delete them, in one transaction.

    ``keep`` keeps its own values and author order; it gains the duplicates' topics, the
    authors it lacks (after its own, in their order), the values of its empty fields, and each
    duplicate that is another version of the work (its preprint, its journal article) as a
    version, the most final one cited. What the harvest found is kept too: an OpenAlex id or
    DBLP key ``keep`` lacks, the largest citation count (with when it was read) and the largest
    count of each year, the notices it lacks, and where each field came from (``keep``'s own
    record of a field first).

    Two revisions are recorded: every publication as it was before, then the result. Reverting
    ``keep`` to the first (from its history in the admin) undoes the merge, duplicates included.
    """
    keep = Publication.objects.select_for_update().get(pk=keep.pk)
    duplicates = [d for d in duplicates if d.pk != keep.pk]
    report = MergeReport(kept=keep)
    if not duplicates:
        return report
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(
            _("Before merging %(count)d publications into “%(title)s”.")
            % {"count": len(duplicates), "title": keep.title}
        )
        for publication in [keep, *duplicates]:
            reversion.add_to_revision(publication)
    with reversion.create_revision():
        reversion.set_user(user)
        _merge(keep, duplicates, report)
        reversion.set_comment(
            _("Merged into “%(title)s”: %(removed)s.")
            % {"title": keep.title, "removed": "; ".join(report.removed)}
        )
        reversion.add_to_revision(keep)
    return report


def _merge(keep: Publication, duplicates: Sequence[Publication], report: MergeReport) -> None:
    versions = list(keep.versions.all())
    new_authorships = _missing_authorships(keep, duplicates, report)
    topics = _missing_topics(keep, duplicates, report)
    for duplicate in duplicates:
        records = [duplicate, *duplicate.versions.all()]
        for record in records:
            title = getattr(record, "title", "") or duplicate.title
            # The duplicates are deleted before ``keep`` is saved: their identifiers move freely.
            folded = fold_into(
                keep,
                versions,
                record,
                title=title,
                taken=lambda kind, value: False,
                extra={"abstract": duplicate.abstract, "pdf_url": duplicate.pdf_url},
            )
            report.filled_fields += [change.name for change in folded.changes]
            if folded.role in (VersionRole.VERSION, VersionRole.REPLACES):
                report.added_versions.append(str(folded.version or versions[-1]))
        report.removed.append(duplicate.title)
    # Read once ``keep`` holds the values it takes, and before the duplicates' rows go.
    harvested = _harvested_data(keep, duplicates, report)
    # The duplicates go first: their DOI or arXiv id may move to the publication kept.
    Publication.objects.filter(pk__in=[d.pk for d in duplicates]).delete()
    save_validated(keep)
    for version in versions:
        version.publication = keep
        save_validated(version, exclude=["publication"])
    Authorship.objects.bulk_create(new_authorships)
    keep.topics.add(*topics)
    harvested.write(keep)


def _missing_authorships(
    keep: Publication, duplicates: Sequence[Publication], report: MergeReport
) -> list[Authorship]:
    """The duplicates' authors and editors that ``keep`` lacks, after its own, in order."""
    current = list(keep.authorships.all())
    signed = {(a.role, a.author_id) for a in current}
    next_position = {
        role: max((a.position for a in current if a.role == role), default=0) + 1
        for role in Authorship.Role.values
    }
    added = []
    for duplicate in duplicates:
        for authorship in duplicate.authorships.select_related("author").order_by(
            "role", "position"
        ):
            if (authorship.role, authorship.author_id) in signed:
                continue
            signed.add((authorship.role, authorship.author_id))
            added.append(
                Authorship(
                    publication=keep,
                    author=authorship.author,
                    role=authorship.role,
                    position=next_position[authorship.role],
                )
            )
            next_position[authorship.role] += 1
            report.added_authors.append(authorship.author.display_name)
    return added


def _missing_topics(keep: Publication, duplicates: Sequence[Publication], report: MergeReport):
    topic_ids = set(keep.topics.values_list("pk", flat=True))
    topics = []
    for duplicate in duplicates:
        for topic in duplicate.topics.all():
            if topic.pk not in topic_ids:
                topic_ids.add(topic.pk)
                topics.append(topic)
                report.added_topics.append(topic.name)
    return topics


# What the harvest records of a work, moved to the publication kept when it has none.
HARVEST_IDENTIFIERS = ("openalex_id", "dblp_key")
CITATION_FIELDS = ("cited_by_count", "citations_read_at")


@dataclass
class _HarvestedData:
    """What the duplicates' harvest brings to the publication kept, read before they are
    deleted (their rows go with them) and written after."""

    years: list[PublicationCitationYear]
    notices: list[PublicationNotice]
    sources: list[FieldSource]

    def write(self, keep: Publication) -> None:
        for row in [*self.years, *self.notices, *self.sources]:
            row.pk, row.publication = None, keep
        PublicationCitationYear.objects.bulk_create(
            self.years,
            update_conflicts=True,
            unique_fields=["publication", "year"],
            update_fields=["count"],
        )
        PublicationNotice.objects.bulk_create(self.notices)
        provenance_write(self.sources, keep_locks=False)


def _harvested_data(
    keep: Publication, duplicates: Sequence[Publication], report: MergeReport
) -> _HarvestedData:
    """Fill ``keep``'s harvest identifiers and citation count from ``duplicates`` (in memory),
    and gather the rows it gains, in three queries."""
    for name in HARVEST_IDENTIFIERS:
        if not getattr(keep, name):
            value = next((getattr(d, name) for d in duplicates if getattr(d, name)), "")
            if value:
                setattr(keep, name, value)
                report.filled_fields.append(name)
    counted = [p for p in [keep, *duplicates] if p.cited_by_count is not None]
    most_cited = max(counted, key=lambda p: p.cited_by_count, default=keep)
    for name in CITATION_FIELDS:
        setattr(keep, name, getattr(most_cited, name))
    return _HarvestedData(
        years=_larger_years(keep, duplicates),
        notices=_missing_notices(keep, duplicates, report),
        sources=_missing_sources(keep, duplicates, most_cited),
    )


def _larger_years(
    keep: Publication, duplicates: Sequence[Publication]
) -> list[PublicationCitationYear]:
    """The duplicates' counts per year that are larger than ``keep``'s (or that it lacks)."""
    counts: dict[int, int] = {}
    larger: dict[int, PublicationCitationYear] = {}
    rows = PublicationCitationYear.objects.filter(publication__in=[keep, *duplicates])
    # ``keep``'s own counts first: a duplicate's replaces one only when it is larger.
    for row in sorted(rows, key=lambda row: row.publication_id != keep.pk):
        if row.year in counts and counts[row.year] >= row.count:
            continue
        counts[row.year] = row.count
        if row.publication_id != keep.pk:
            larger[row.year] = row
    return list(larger.values())


def _missing_notices(
    keep: Publication, duplicates: Sequence[Publication], report: MergeReport
) -> list[PublicationNotice]:
    """The duplicates' notices that ``keep`` lacks (a notice is its kind and its DOI)."""
    rows = PublicationNotice.objects.filter(publication__in=[keep, *duplicates])
    known = {(n.kind, n.doi) for n in rows if n.publication_id == keep.pk}
    missing = []
    for notice in rows:
        if (notice.kind, notice.doi) not in known:
            known.add((notice.kind, notice.doi))
            missing.append(notice)
            report.added_notices.append(str(notice))
    return missing


def _missing_sources(
    keep: Publication, duplicates: Sequence[Publication], most_cited: Publication
) -> list[FieldSource]:
    """Where the fields ``keep`` takes from the duplicates came from: a duplicate's record of
    a field ``keep`` has none of, when ``keep`` now holds that duplicate's value (a list, the
    authors say, always); and the record of the citation count that ``keep`` takes."""
    rows = list(FieldSource.objects.filter(publication__in=[keep, *duplicates]))
    recorded = {row.field_name for row in rows if row.publication_id == keep.pk}
    by_pk = {duplicate.pk: duplicate for duplicate in duplicates}
    columns = {f.name for f in Publication._meta.concrete_fields}
    gained: dict[str, FieldSource] = {}
    for row in rows:
        duplicate = by_pk.get(row.publication_id)
        if duplicate is None or row.field_name in gained:
            continue
        if row.field_name in CITATION_FIELDS:
            taken = duplicate is most_cited
        else:
            taken = row.field_name not in recorded and (
                row.field_name not in columns
                or getattr(duplicate, row.field_name) == getattr(keep, row.field_name)
            )
        if taken:
            gained[row.field_name] = row
    return list(gained.values())
