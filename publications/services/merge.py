"""Merging publications that are one work: nothing any of them held is lost."""

from collections.abc import Sequence
from dataclasses import dataclass, field

import reversion
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Authorship, Publication
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
    version, the most final one cited.

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
    # The duplicates go first: their DOI or arXiv id may move to the publication kept.
    Publication.objects.filter(pk__in=[d.pk for d in duplicates]).delete()
    save_validated(keep)
    for version in versions:
        version.publication = keep
        save_validated(version, exclude=["publication"])
    Authorship.objects.bulk_create(new_authorships)
    keep.topics.add(*topics)


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
