"""A work's versions: which one is cited, and what each new record of the work brings."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core.text import title_key

from ..models import CITATION_RANK, Authorship, CitedFields, Publication, PublicationVersion
from .matching import Citable, same_version
from .saving import save_validated

CITED_FIELDS = CitedFields.CITED_FIELDS
# What a second record of the same version may fill in when it is empty.
FILLABLE_FIELDS = tuple(name for name in CITED_FIELDS if name not in ("kind", "year"))

# Whether an identifier is already another work's: (field name, value) -> taken.
IdentifierTaken = Callable[[str, str], bool]


class VersionRole:
    """What a record became in its work."""

    SAME = "same"  # the version already known: it filled empty fields
    CITED = "cited"  # the work's cited version, new
    VERSION = "version"  # another version, listed under the cited one
    REPLACES = "replaces"  # the new cited version: the one cited before became a version


@dataclass
class FieldChange:
    name: str
    old: object
    new: object

    @property
    def label(self) -> str:
        return str(Publication._meta.get_field(self.name).verbose_name)


@dataclass
class Folded:
    """What folding one record into a work did."""

    role: str
    changes: list[FieldChange] = field(default_factory=list)
    version: PublicationVersion | None = None  # a version created or completed


def fold_into(
    publication: Publication,
    versions: list[PublicationVersion],
    record: Citable,
    *,
    title: str,
    taken: IdentifierTaken,
    extra: dict[str, str] | None = None,
) -> Folded:
    """Fold a record of the work into ``publication`` and its ``versions``, in memory.

    The same version fills the empty fields of the one it repeats; another version is added to
    ``versions``, or, when it is more final than the cited one (a journal article after its
    preprint), becomes the cited version and the cited one becomes a version. Nothing a record
    brought is dropped, except an identifier another work already has. ``extra`` holds the
    publication's own fields the record may fill (abstract, PDF).
    """
    if same_version(publication, record):
        changes = fill_empty(publication, record, FILLABLE_FIELDS, taken)
        changes += fill_empty_values(publication, extra or {})
        return Folded(VersionRole.SAME, changes)
    for version in versions:
        if same_version(version, record):
            return Folded(
                VersionRole.SAME, fill_empty(version, record, FILLABLE_FIELDS, taken), version
            )
    new = version_of(publication, record, title=title, taken=taken)
    if CITATION_RANK.get(record.kind, 0) <= publication.citation_rank:
        versions.append(new)
        return Folded(VersionRole.VERSION, version=new)
    before = version_of(publication, publication, title=publication.title, taken=lambda *a: False)
    changes = cite(publication, new, title=title)
    changes += fill_empty_values(publication, extra or {})
    versions.append(before)
    return Folded(VersionRole.REPLACES, changes, before)


def version_of(
    publication: Publication, record: Citable, *, title: str, taken: IdentifierTaken
) -> PublicationVersion:
    """A version of ``publication`` holding ``record``'s cited fields."""
    version = PublicationVersion(
        publication=publication,
        title=title if title_key(title) != publication.title_key else "",
        source_key=getattr(record, "key", "")[:255],
        **{name: getattr(record, name) for name in CITED_FIELDS},
    )
    if version.doi and taken("version_doi", version.doi):
        version.doi = ""
    return version


def cite(publication: Publication, version: CitedFields, *, title: str) -> list[FieldChange]:
    """Make ``version``'s fields the cited ones. The work keeps its arXiv id when the new
    version has none: the preprint stays one click away."""
    changes = []
    values = {name: getattr(version, name) for name in CITED_FIELDS}
    if not values["arxiv_id"]:
        values["arxiv_id"] = publication.arxiv_id
    if title and title != publication.title:
        values["title"] = title
    for name, value in values.items():
        if getattr(publication, name) != value:
            changes.append(FieldChange(name, getattr(publication, name), value))
            setattr(publication, name, value)
    return changes


def fill_empty(
    target: CitedFields, record: Citable, names: tuple[str, ...], taken: IdentifierTaken
) -> list[FieldChange]:
    changes = []
    for name in names:
        value = getattr(record, name, None)
        if value in ("", None) or getattr(target, name) not in ("", None):
            continue
        kind = name if isinstance(target, Publication) else f"version_{name}"
        if name in ("doi", "arxiv_id") and taken(kind, value):
            continue
        changes.append(FieldChange(name, getattr(target, name), value))
        setattr(target, name, value)
    return changes


def fill_empty_values(publication: Publication, values: dict[str, str]) -> list[FieldChange]:
    changes = []
    for name, value in values.items():
        if value and not getattr(publication, name):
            changes.append(FieldChange(name, getattr(publication, name), value))
            setattr(publication, name, value)
    return changes


@transaction.atomic
def version_make_cited(*, version: PublicationVersion) -> Publication:
    """Cite ``version`` instead of the publication's cited version, which becomes a version."""
    publication = Publication.objects.select_for_update().get(pk=version.publication_id)
    before = version_of(publication, publication, title=publication.title, taken=lambda *a: False)
    title = version.title or publication.title
    version.delete()
    cite(publication, version, title=title)
    save_validated(publication)
    save_validated(before)
    return publication


@transaction.atomic
def version_split(*, version: PublicationVersion) -> Publication:
    """Make a version merged by mistake a publication of its own, with the same authors and
    topics; the version is removed from the work it was merged into."""
    source = Publication.objects.select_for_update().get(pk=version.publication_id)
    publication = Publication(
        title=version.title or source.title,
        language=source.language,
        is_published=source.is_published,
        authors_truncated=source.authors_truncated,
        editors_truncated=source.editors_truncated,
        **{name: getattr(version, name) for name in CITED_FIELDS},
    )
    if publication.arxiv_id and publication.arxiv_id == source.arxiv_id:
        # An arXiv id names the preprint: it leaves with a preprint, stays otherwise.
        if version.kind == Publication.Kind.PREPRINT:
            source.arxiv_id = ""
            source.save()
        else:
            publication.arxiv_id = ""
    version.delete()
    save_validated(publication)
    publication.topics.set(source.topics.all())
    Authorship.objects.bulk_create(
        Authorship(publication=publication, author_id=a.author_id, role=a.role, position=a.position)
        for a in source.authorships.all()
    )
    return publication


def describe(version: PublicationVersion) -> str:
    """One line for another version of a work: "arXiv preprint, 2023"."""
    parts = [version.get_kind_display()]
    where = version.venue or version.institution or version.publisher
    if version.kind == Publication.Kind.PREPRINT and version.arxiv_id and not where:
        parts = [_("arXiv preprint")]
    elif where:
        parts.append(where)
    parts.append(str(version.year))
    return ", ".join(parts)
