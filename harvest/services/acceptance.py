"""An editor's acceptance of a candidate: a new publication, another version of a stored one, or
some of the changes it proposes to a stored one. Each runs in one transaction and records a
revision of the publication, as an edit in the admin does."""

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import reversion
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.caching import pages_changed
from core.text import name_key
from profiles.models import Researcher
from publications.models import (
    Author,
    Authorship,
    FieldOrigin,
    Publication,
    PublicationNotice,
    PublicationVersion,
)
from publications.services.authors import author_get_or_create, is_researcher, researcher_author
from publications.services.provenance import PROVENANCE_FIELDS, locked_fields, provenance_record
from publications.services.saving import save_validated
from publications.services.versions import VersionRole, fold_into

from ..models import Candidate, CandidateSource, Rejection
from ..sources.base import HarvestedAuthor, HarvestedWork
from .citations import citations_refresh
from .comparison import entry_proposal_key, notices_of
from .works import MergedWork, work_from_json

# A new publication's fields, as the harvested work names them.
PUBLICATION_FIELDS = (
    "title", "kind", "year", "month", "venue", "volume", "issue", "pages", "publisher",
    "abstract", "url", "pdf_url", "doi", "arxiv_id", "openalex_id", "dblp_key",
    "authors_truncated",
)  # fmt: skip
IDENTIFIER_FIELDS = ("doi", "arxiv_id", "openalex_id", "dblp_key")
# A language a source names that the publication can hold (others keep the default).
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


@dataclass
class AcceptanceReport:
    """What accepting a candidate did: the publication created or changed, the version added,
    the fields written, those left alone because an editor locked them, the notices added."""

    candidate: Candidate
    publication: Publication
    created: bool = False
    version: PublicationVersion | None = None
    applied: list[str] = field(default_factory=list)
    locked: list[str] = field(default_factory=list)
    notices: int = 0


def _for_decision(candidate: Candidate) -> Candidate:
    """The candidate, read again and locked: two editors may decide on it at once."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status == Candidate.Status.ACCEPTED:
        raise ValidationError(_("“%(title)s” was already accepted.") % {"title": candidate.title})
    if candidate.status == Candidate.Status.REJECTED:
        raise ValidationError(_("“%(title)s” was already rejected.") % {"title": candidate.title})
    return candidate


def candidate_work(candidate: Candidate) -> HarvestedWork:
    """The work the candidate describes. Raises ValidationError when its stored description
    cannot be read back (written by hand, or by an older harvest)."""
    values = {"source": "", "source_id": "", "title": candidate.title, **candidate.fields}
    try:
        return work_from_json(values)
    except (TypeError, ValueError, KeyError) as error:
        raise ValidationError(
            _("The description of “%(title)s” cannot be read: reject it and harvest again.")
            % {"title": candidate.title}
        ) from error


def _close(candidate: Candidate, publication: Publication) -> None:
    candidate.status, candidate.publication = Candidate.Status.ACCEPTED, publication
    candidate.save(update_fields=["status", "publication", "updated_at"])
    # Its records are records of the publication now: staging matches them to it.
    CandidateSource.objects.filter(candidate=candidate).update(publication=publication)


def _revision(user: AbstractBaseUser | None, comment: str, publication: Publication) -> None:
    reversion.set_user(user)
    reversion.set_comment(comment)
    reversion.add_to_revision(publication)


# A new work ------------------------------------------------------------------------------


@transaction.atomic
def candidate_accept_new(
    *, candidate: Candidate, user: AbstractBaseUser | None = None, publish: bool = False
) -> AcceptanceReport:
    """Create the publication ``candidate`` describes (published, or a draft), with its authors
    in order (their ORCID iDs kept), its identifiers, its notices and citation counts, and the
    source of each field recorded. Raises ValidationError when the work cannot be stored (no
    year, an identifier another publication holds)."""
    candidate = _for_decision(candidate)
    work = candidate_work(candidate)
    if work.year is None:
        raise ValidationError(
            _("“%(title)s” has no year: add it to a publication by hand.")
            % {"title": candidate.title}
        )
    with reversion.create_revision():
        publication = Publication(
            is_published=publish, **{name: getattr(work, name) for name in PUBLICATION_FIELDS}
        )
        publication.title = candidate.title
        if LANGUAGE_CODE.fullmatch(work.language):
            publication.language = work.language
        save_validated(publication)
        _authorships(publication, _with_orcids(work, candidate), candidate.researcher)
        notices = _add_notices(publication, notices_of(work))
        filled = [name for name in candidate.origins if name != "cited_by_count"]
        _record_sources(publication, candidate, filled + ["notices"] * bool(notices), user)
        citations_refresh([(publication, _merged(candidate, work))], timezone.now())
        _revision(user, _("Accepted from the harvest."), publication)
    _close(candidate, publication)
    pages_changed()
    return AcceptanceReport(
        candidate, publication, created=True, applied=list(PUBLICATION_FIELDS), notices=notices
    )


def _authorships(
    publication: Publication, work: HarvestedWork, researcher: Researcher | None
) -> None:
    """The work's authors, then its editors, each in the sources' order; a name given twice in
    one list is listed once."""
    own = researcher_author(researcher) if researcher is not None else None
    rows = []
    for role, signers in (
        (Authorship.Role.AUTHOR, work.authors),
        (Authorship.Role.EDITOR, work.editors),
    ):
        seen: set[int] = set()
        for signer in signers:
            author = _author(signer, own)
            if author is None or author.pk in seen:
                continue
            seen.add(author.pk)
            rows.append(
                Authorship(publication=publication, author=author, role=role, position=len(seen))
            )
    Authorship.objects.bulk_create(rows)


def _with_orcids(work: HarvestedWork, candidate: Candidate) -> HarvestedWork:
    """The work with each signer's ORCID iD as any of its records gives it: the source whose
    author list is kept may not give them."""
    orcids: dict[str, str] = {}
    for row in candidate.sources.exclude(fields={}):
        for signer in row.fields.get("authors", []) + row.fields.get("editors", []):
            if signer.get("orcid"):
                orcids.setdefault(name_key(signer.get("name", "")), signer["orcid"])

    def completed(signers: tuple[HarvestedAuthor, ...]) -> tuple[HarvestedAuthor, ...]:
        return tuple(
            s if s.orcid else dataclasses.replace(s, orcid=orcids.get(name_key(s.name), ""))
            for s in signers
        )

    return dataclasses.replace(
        work, authors=completed(work.authors), editors=completed(work.editors)
    )


def _author(signer: HarvestedAuthor, own: Author | None) -> Author | None:
    """The stored author a signer is: by ORCID iD first, then the researcher's own record, then
    by name (an author with another ORCID iD is someone else: a new author is made)."""
    if not signer.name:
        return None
    if signer.orcid and (found := Author.objects.filter(orcid=signer.orcid).first()):
        return found
    parsed = _Signer(signer)
    if own is not None and is_researcher(parsed, own):
        author = own
    else:
        author, _created = author_get_or_create(display_name=signer.name)
        if signer.orcid and author.orcid and author.orcid != signer.orcid:
            author = Author(display_name=signer.name)
    if signer.orcid and not author.orcid:
        author.orcid = signer.orcid
        save_validated(author, exclude=["name_key"])
    return author


class _Signer:
    """A harvested signer as the researcher rule reads a parsed name."""

    is_organization = False

    def __init__(self, signer: HarvestedAuthor) -> None:
        self.display_name = signer.name
        self.given_name = signer.given_name
        self.family_name = signer.family_name


def _add_notices(publication: Publication, notices: list[dict]) -> int:
    """Add the notices ``publication`` does not record yet; how many."""
    stored = set(publication.notices.values_list("kind", "doi"))
    added = 0
    for notice in notices:
        if (notice["kind"], notice["doi"]) in stored:
            continue
        day = date.fromisoformat(notice["date"]) if notice.get("date") else None
        row = PublicationNotice(
            publication=publication, kind=notice["kind"], doi=notice["doi"], date=day
        )
        save_validated(row)
        stored.add((notice["kind"], notice["doi"]))
        added += 1
    return added


def _record_sources(
    publication: Publication,
    candidate: Candidate,
    names: Iterable[str],
    user: AbstractBaseUser | None,
) -> None:
    """Record, for each field of ``names``, the source record the candidate took its value
    from (the notices, from the record that reports them)."""
    by_record: dict[tuple[str, str], list[str]] = {}
    for name in names:
        if name in PROVENANCE_FIELDS:
            record = candidate.origins.get(name) or _notices_record(candidate)
            by_record.setdefault((record[0], record[1]), []).append(name)
    for (source, source_id), fields in by_record.items():
        provenance_record(
            publication=publication,
            fields=fields,
            origin=FieldOrigin.HARVEST,
            source=source,
            source_id=source_id,
            user=user,
        )


def _notices_record(candidate: Candidate) -> tuple[str, str]:
    rows = list(candidate.sources.all())
    giver = next((r for r in rows if r.fields.get("updates") or r.fields.get("is_retracted")), None)
    giver = giver or (rows[0] if rows else None)
    return (giver.source, giver.source_id) if giver is not None else ("", "")


def _merged(candidate: Candidate, work: HarvestedWork) -> MergedWork:
    """The candidate's records merged again (for their citation counts and origins)."""
    records = [work_from_json(row.fields) for row in candidate.sources.exclude(fields={})]
    if records:
        return MergedWork(records)
    source, source_id = candidate.origins.get("cited_by_count", ["", ""])
    return MergedWork([dataclasses.replace(work, source=source, source_id=source_id)])


# Another version -------------------------------------------------------------------------


@transaction.atomic
def candidate_accept_version(
    *,
    candidate: Candidate,
    user: AbstractBaseUser | None = None,
    publication: Publication | None = None,
) -> AcceptanceReport:
    """Add the candidate's work to ``publication`` (the matched one by default) as another
    version, by the rules of publications/services/versions.py: the same version fills empty
    fields, a more final one becomes the cited version. Its notices are added too."""
    candidate = _for_decision(candidate)
    target_id = publication.pk if publication is not None else candidate.publication_id
    if target_id is None:
        raise ValidationError(_("Choose the publication this work is a version of."))
    target = Publication.objects.select_for_update().get(pk=target_id)
    work = candidate_work(candidate)
    if work.year is None:
        raise ValidationError(
            _("“%(title)s” has no year: add it to a publication by hand.")
            % {"title": candidate.title}
        )
    with reversion.create_revision():
        folded = _fold(target, work, candidate.title)
        notices = _add_notices(target, notices_of(work))
        changed = [change.name for change in folded.changes] + ["notices"] * bool(notices)
        _record_sources(target, candidate, changed, user)
        _revision(user, _("Version accepted from the harvest."), target)
    _close(candidate, target)
    pages_changed()
    return AcceptanceReport(
        candidate,
        target,
        version=folded.version,
        applied=[change.name for change in folded.changes],
        notices=notices,
    )


def _fold(target: Publication, work: HarvestedWork, title: str):
    """Fold the work into ``target`` and save what changed."""
    record = PublicationVersion(
        publication=target,
        **{name: getattr(work, name) for name in ("kind", "year", "month", "venue", "volume")},
        **{name: getattr(work, name) for name in ("issue", "pages", "publisher", "doi")},
        arxiv_id=work.arxiv_id,
        url=work.url,
    )
    versions = list(target.versions.all())
    folded = fold_into(target, versions, record, title=title, taken=_taken_by_other(target))
    if folded.role in (VersionRole.SAME, VersionRole.REPLACES):
        save_validated(target)
    if folded.version is not None:
        save_validated(folded.version)
    return folded


def _taken_by_other(target: Publication):
    """Whether an identifier is another work's (the database refuses a second holder)."""

    def taken(kind: str, value: str) -> bool:
        name = kind.removeprefix("version_")
        others = Publication.objects.exclude(pk=target.pk).filter(**{name: value}).exists()
        if name == "doi":
            others = others or PublicationVersion.objects.filter(doi=value).exists()
        return others

    return taken


# Changed fields --------------------------------------------------------------------------


@transaction.atomic
def candidate_accept_fields(
    *, candidate: Candidate, fields: Iterable[str], user: AbstractBaseUser | None = None
) -> AcceptanceReport:
    """Apply the proposed changes named in ``fields`` to the stored publication, except to a
    field an editor locked since; the source of each is recorded. The changes not chosen are
    remembered as rejected, so that the harvest does not propose them again."""
    candidate = _for_decision(candidate)
    if candidate.publication_id is None:
        raise ValidationError(_("This proposition names no stored publication."))
    publication = Publication.objects.select_for_update().get(pk=candidate.publication_id)
    chosen, locked = set(fields), locked_fields(publication)
    report = AcceptanceReport(candidate, publication)
    with reversion.create_revision():
        for entry in candidate.diff:
            if entry["field"] not in chosen:
                _remember_rejected(candidate, entry, user)
            elif entry["field"] in locked:
                report.locked.append(entry["field"])
            else:
                _apply(publication, entry, report, user)
        save_validated(publication)
        _revision(user, _("Changes accepted from the harvest."), publication)
    _close(candidate, publication)
    pages_changed()
    return report


def _apply(
    publication: Publication, entry: dict, report: AcceptanceReport, user: AbstractBaseUser | None
) -> None:
    name = entry["field"]
    if name == "notices":
        report.notices += _add_notices(publication, entry["proposed"])
    elif name in IDENTIFIER_FIELDS and _held_elsewhere(publication, name, entry["proposed"]):
        raise ValidationError(
            _("Another publication already has the %(field)s %(value)s.")
            % {"field": name, "value": entry["proposed"]}
        )
    else:
        setattr(publication, name, entry["proposed"])
    report.applied.append(name)
    provenance_record(
        publication=publication,
        fields=[name],
        origin=FieldOrigin.HARVEST,
        source=entry.get("source", ""),
        source_id=entry.get("source_id", ""),
        user=user,
    )


def _held_elsewhere(publication: Publication, name: str, value: str) -> bool:
    return Publication.objects.filter(~Q(pk=publication.pk), **{name: value}).exists()


def _remember_rejected(candidate: Candidate, entry: dict, user: AbstractBaseUser | None) -> None:
    Rejection.objects.get_or_create(
        publication_id=candidate.publication_id,
        proposal=entry_proposal_key(entry),
        defaults={"title": candidate.title[:500], "candidate": candidate, "rejected_by": user},
    )
