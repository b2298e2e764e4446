"""The authors and editors a BibTeX import signs: each name matched or created once, in the
order of the entry, and the researcher's own record put in place of their name."""

from django.utils.translation import gettext as _

from ..bibtex import MARK_CORRESPONDING, MARK_EQUAL_CONTRIBUTION, ParsedAuthor, ParsedEntry
from ..models import Author, Authorship
from .authors import NamedAuthors, is_researcher
from .import_report import AuthorMatch, ImportReport
from .import_works import Work
from .saving import BATCH_SIZE
from .versions import VersionRole


def write_authorships(
    chunk: list[Work], researcher_author: Author | None, report: ImportReport
) -> None:
    """Authors and editors matched by name (or created once) and signed in order, for the
    works that have none yet; every entry's names matched, for the report."""
    signed = set(
        Authorship.objects.filter(
            publication__in=[w.existing.pk for w in chunk if w.existing is not None]
        ).values_list("publication", flat=True)
    )
    names = (p for w in chunk for e in w.entries for _role, people in _roles(e) for p in people)
    people = NamedAuthors(names, researcher_author)
    authorships = []
    signing: set[int] = set()  # stored publications signed by an earlier work of the chunk
    for work in chunk:
        _match_names(work, people)
        if work.existing is not None and work.existing.pk in signed:
            if researcher_author is not None:
                _link_researcher(work, researcher_author, report)
            continue
        if work.existing is not None:
            if work.existing.pk in signing:
                continue  # two works of the file found the same publication: signed once
            signing.add(work.existing.pk)
        work.authorships = _sign(work, people)
        authorships += work.authorships
        if researcher_author is not None and all(
            a.author is not researcher_author for a in work.authorships
        ):
            _not_among_authors(report, work.entries[0], researcher_author)
    Authorship.objects.bulk_create(authorships, batch_size=BATCH_SIZE)


def _match_names(work: Work, people: NamedAuthors) -> None:
    """Each entry's names with the stored author each one was, for the report."""
    for outcome in work.outcomes:
        outcome.authors = [
            AuthorMatch(p.display_name, role, people.stored(p))
            for role, names in _roles(outcome.entry)
            for p in names
        ]


def _sign(work: Work, people: NamedAuthors) -> list[Authorship]:
    """The author list of a new or unsigned publication: each person once a role, in order."""
    authorships = []
    source = _author_source(work)
    for role, names in _roles(source):
        seen: set[int] = set()
        for number, parsed in enumerate(names, start=1):
            author = people.author(parsed)
            if author.pk not in seen:
                seen.add(author.pk)
                # Only authors carry marks (the entry's author+an annotations).
                marks = (
                    source.author_marks.get(number, ()) if role == Authorship.Role.AUTHOR else ()
                )
                authorships.append(
                    Authorship(
                        publication=work.publication,
                        author=author,
                        role=role,
                        position=len(seen),
                        equal_contribution=MARK_EQUAL_CONTRIBUTION in marks,
                        corresponding=MARK_CORRESPONDING in marks,
                    )
                )
    return authorships


def _roles(entry: ParsedEntry) -> list[tuple[str, list[ParsedAuthor]]]:
    return [(Authorship.Role.AUTHOR, entry.authors), (Authorship.Role.EDITOR, entry.editors)]


def _author_source(work: Work) -> ParsedEntry:
    """The entry whose author list a new publication takes: the cited one when it has names,
    else the first that has."""
    cited = next(
        (
            o.entry
            for o in work.outcomes
            if o.version_role in (VersionRole.CITED, VersionRole.REPLACES)
        ),
        work.entries[0],
    )
    if cited.authors or cited.editors:
        return cited
    return next((e for e in work.entries if e.authors or e.editors), cited)


def _not_among_authors(report: ImportReport, entry: ParsedEntry, researcher_author: Author) -> None:
    report.warnings.append(
        _("%(key)s (line %(line)d): %(name)s is not among the authors.")
        % {"key": entry.key, "line": entry.line, "name": researcher_author}
    )


def _link_researcher(work: Work, researcher_author: Author, report: ImportReport) -> None:
    """On a publication already signed, put the researcher's record in place of their name."""
    rows = list(work.publication.authorships.select_related("author"))
    if any(row.author_id == researcher_author.pk for row in rows):
        return
    for row in rows:
        author = row.author
        parsed = ParsedAuthor(author.display_name, author.given_name, author.family_name)
        if is_researcher(parsed, researcher_author):
            row.author = researcher_author
            row.save(update_fields=["author"])
            return
    _not_among_authors(report, work.entries[0], researcher_author)
