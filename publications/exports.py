"""Citation formats for publications: BibTeX, RIS and CSL-JSON, from one mapping of the model."""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from django.db.models import prefetch_related_objects

from core.text import fold

from .bibtex import MARK_CORRESPONDING, MARK_EQUAL_CONTRIBUTION
from .models import Author, Authorship, CitedFields, Publication, PublicationVersion

Kind = Publication.Kind

BIBTEX_TYPES = {
    Kind.JOURNAL_ARTICLE: "article",
    Kind.CONFERENCE_PAPER: "inproceedings",
    Kind.PREPRINT: "misc",
    Kind.BOOK: "book",
    Kind.BOOK_CHAPTER: "incollection",
    Kind.THESIS: "phdthesis",
    Kind.REPORT: "techreport",
    Kind.OTHER: "misc",
}
RIS_TYPES = {
    Kind.JOURNAL_ARTICLE: "JOUR",
    Kind.CONFERENCE_PAPER: "CPAPER",
    Kind.PREPRINT: "UNPB",
    Kind.BOOK: "BOOK",
    Kind.BOOK_CHAPTER: "CHAP",
    Kind.THESIS: "THES",
    Kind.REPORT: "RPRT",
    Kind.OTHER: "GEN",
}
CSL_TYPES = {
    Kind.JOURNAL_ARTICLE: "article-journal",
    Kind.CONFERENCE_PAPER: "paper-conference",
    Kind.PREPRINT: "article",
    Kind.BOOK: "book",
    Kind.BOOK_CHAPTER: "chapter",
    Kind.THESIS: "thesis",
    Kind.REPORT: "report",
    Kind.OTHER: "document",
}
# The kinds whose venue is the work they appear in (a journal, proceedings, a book), and the
# BibTeX field that names it. For the other kinds the venue says how the work was published:
# BibTeX's howpublished, and the publisher in RIS and CSL (a book is never "In Addison-Wesley").
CONTAINER_FIELDS = {
    Kind.JOURNAL_ARTICLE: "journal",
    Kind.CONFERENCE_PAPER: "booktitle",
    Kind.BOOK_CHAPTER: "booktitle",
}
# BibTeX names the body behind a thesis, a report or a paper differently; biblatex knows
# "organization" for proceedings and miscellanea, and no such field for other kinds.
INSTITUTION_FIELDS = {
    Kind.THESIS: "school",
    Kind.REPORT: "institution",
    Kind.CONFERENCE_PAPER: "organization",
    Kind.PREPRINT: "organization",
    Kind.OTHER: "organization",
}
# Zotero and EndNote read A2 as the editor of an article, a paper or a chapter, but as the
# series editor of a book, whose editors go in A3.
RIS_EDITOR_TAGS = {Kind.BOOK: "A3"}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}

_BIBTEX_SPECIAL = re.compile(r"([{}%&$#_^~\\])")
_BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\^{}"}
_UNMATCHED_BRACES = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
_BRACE = re.compile(r"[{}]")
_VERBATIM_SPECIAL = re.compile(r"[{}\\\s]")
# What would end a braced BibTeX value or a name early: a comma or the word "and".
_NAME_SEPARATOR = re.compile(r",|\band\b", re.IGNORECASE)
_PAGE_RANGE = re.compile(r"^\s*([^\s–—-]+)\s*(?:–|—|-+)\s*([^\s–—-]+)\s*$")
_NOT_KEY = re.compile(r"[^a-z0-9]+")


def mapping(work: CitedFields) -> list[tuple[str, str, str, str]]:
    """(BibTeX field, RIS tag, CSL variable, text) of each filled-in descriptive field of
    ``work``, "" where a format has no place of its own for it. RIS and CSL have one publisher
    for the publisher, the institution and a how-published venue; BibTeX keeps them apart.

    BibTeX fields that biblatex does not define for the entry type (an article's publisher)
    are still written: BibTeX styles and reference managers read them, biblatex skips them."""
    kind = work.kind
    article = kind == Kind.JOURNAL_ARTICLE
    if kind in CONTAINER_FIELDS:
        venue = (CONTAINER_FIELDS[kind], "T2", "container-title")
    else:
        venue = ("howpublished", "", "")
    if kind == Kind.REPORT:
        number = ("number", "SN", "number")
    elif article:
        # An article's issue takes BibTeX's "number"; its own number is the article number.
        number = ("eid", "M1", "number")
    else:
        number = ("number", "M1", "collection-number" if work.series else "number")
    rows = [
        (*venue, work.venue),
        ("volume", "VL", "volume", work.volume),
        ("number" if article else "issue", "IS", "issue", work.issue),
        ("publisher", "", "", work.publisher),
        (INSTITUTION_FIELDS.get(kind, "institution"), "", "", work.institution),
        ("", "PB", "publisher", publisher_name(work)),
        ("edition", "ET", "edition", work.edition),
        ("series", "T3", "collection-title", work.series),
        (*number, work.number),
        ("address", "CY", "publisher-place", work.address),
        ("note", "N1", "note", work.note),
        ("doi", "DO", "DOI", work.doi),
    ]
    return [row for row in rows if row[3]]


def publisher_name(work: CitedFields) -> str:
    """Who published ``work``, in one name: the university or institution of a thesis or a
    report first, then the publisher, then how it was published (an archive, a blog)."""
    parts = [work.publisher, work.institution]
    if work.kind in (Kind.THESIS, Kind.REPORT):
        parts.reverse()
    if work.kind not in CONTAINER_FIELDS:
        parts.append(work.venue)
    return ", ".join(dict.fromkeys(part for part in parts if part))


def page_range(pages: str) -> tuple[str, str]:
    """The first and last page of "12–34" (or 12-34, 12--34); a single page has no last."""
    match = _PAGE_RANGE.match(pages)
    return (match.group(1), match.group(2)) if match else (pages.strip(), "")


def issued(work: CitedFields) -> list[int]:
    """The date parts known: year, then month, then day."""
    parts = [work.year, work.month, work.day if work.month else None]
    return [part for part in parts if part]


def _author_list(publication: Publication) -> list[Author]:
    return [authorship.author for authorship in publication.author_authorships]


def _editor_list(publication: Publication) -> list[Author]:
    return [authorship.author for authorship in publication.editor_authorships]


def _signed(authorships: Iterable[Authorship], role: str) -> list[Authorship]:
    return [authorship for authorship in authorships if authorship.role == role]


@dataclass(frozen=True)
class _Signed:
    """A publication's authorships by role, in order, and its other versions: what its BibTeX
    entries need besides its own row."""

    authors: list[Authorship]
    editors: list[Authorship]
    versions: list[PublicationVersion]

    @classmethod
    def of(
        cls, authorships: Iterable[Authorship], versions: Iterable[PublicationVersion]
    ) -> "_Signed":
        authorships = list(authorships)
        return cls(
            authors=_signed(authorships, Authorship.Role.AUTHOR),
            editors=_signed(authorships, Authorship.Role.EDITOR),
            versions=list(versions),
        )


def citation_key(publication: Publication, authorships: Iterable[Authorship] | None = None) -> str:
    """A readable key: first author's family name, year and first title word, in ASCII.
    ``authorships`` are the publication's, when the caller read them itself."""
    if authorships is None:
        authorships = publication.authorships.all()
    authorships = list(authorships)
    signers = _signed(authorships, Authorship.Role.AUTHOR) or _signed(
        authorships, Authorship.Role.EDITOR
    )
    family = _NOT_KEY.sub("", fold(signers[0].author.family_name)) if signers else ""
    words = [w for w in _NOT_KEY.split(fold(publication.title)) if len(w) > 3] or ["paper"]
    return (family or "anonymous") + str(publication.year) + words[0]


def _unique(base: str, used: set[str]) -> str:
    key, suffix = base, ord("a")
    while key in used:
        key = f"{base}{chr(suffix)}"
        suffix += 1
    used.add(key)
    return key


def _keyed(publications: Iterable[Publication]) -> list[tuple[str, Publication]]:
    """Each publication with its citation key, made unique in the file by a letter."""
    used: set[str] = set()
    return [(_unique(citation_key(p), used), p) for p in publications]


def _bibtex_value(text: str) -> str:
    """Text as a BibTeX value that never ends its field early: special characters escaped,
    whitespace folded (a value is one line, and TeX reads a line break as a space)."""
    text = " ".join(text.split())
    unmatched = _unmatched_braces(text)

    def escape(match: re.Match) -> str:
        char = match.group(1)
        if match.start() in unmatched:
            # BibTeX and biber count a brace even after a backslash: a lone one is spelt out.
            return _UNMATCHED_BRACES[char]
        return _BIBTEX_ESCAPES.get(char, "\\" + char)

    return _BIBTEX_SPECIAL.sub(escape, text)


def _unmatched_braces(text: str) -> set[int]:
    """The positions of the braces of ``text`` that no other brace closes or opens."""
    opened: list[int] = []
    unmatched: set[int] = set()
    for brace in _BRACE.finditer(text):
        if brace.group() == "{":
            opened.append(brace.start())
        elif opened:
            opened.pop()
        else:
            unmatched.add(brace.start())
    return unmatched.union(opened)


def _bibtex_verbatim(text: str) -> str:
    """A DOI or a URL, which biblatex reads verbatim: braces, backslashes and whitespace, which
    would break the file, are percent-encoded, as resolvers read them."""
    return _VERBATIM_SPECIAL.sub(lambda match: quote(match.group(), safe=""), text)


def _bibtex_name_part(text: str) -> str:
    text = _bibtex_value(text)
    return "{" + text + "}" if _NAME_SEPARATOR.search(text) else text


def _bibtex_name(author: Author) -> str:
    """A name as BibTeX parts it: Family, Given or Family, Jr., Given; an organisation, or a
    person known by one name of several words, in braces, so that it is never split."""
    if author.is_organization:
        return "{" + _bibtex_value(author.display_name) + "}"
    family = _bibtex_name_part(author.family_name or author.display_name)
    if not (author.given_name or author.suffix):
        return "{" + family + "}" if " " in family and not family.startswith("{") else family
    # Empty braces stand for a missing given name: "King, Jr.," would read Jr. as one.
    given = _bibtex_name_part(author.given_name) or "{}"
    if author.suffix:
        return f"{family}, {_bibtex_name_part(author.suffix)}, {given}"
    return f"{family}, {given}"


def _bibtex_names(authorships: list[Authorship], truncated: bool) -> str:
    names = [_bibtex_name(authorship.author) for authorship in authorships]
    return " and ".join([*names, "others"] if truncated and names else names)


def _bibtex_author_annotations(authors: list[Authorship]) -> str:
    """The marks of the authors as biblatex data annotations, by their number in the list:
    "1=equal; 2=equal,corresponding" (equal contribution, corresponding author)."""
    items = []
    for number, authorship in enumerate(authors, start=1):
        marks = [
            mark
            for mark, marked in (
                (MARK_EQUAL_CONTRIBUTION, authorship.equal_contribution),
                (MARK_CORRESPONDING, authorship.corresponding),
            )
            if marked
        ]
        if marks:
            items.append(f"{number}={','.join(marks)}")
    return "; ".join(items)


def _bibtex_people(work: CitedFields, publication: Publication, signed: _Signed) -> list[tuple]:
    """The author list with its marks, and the editors, of ``work``'s entry."""
    fields = []
    if authors := _bibtex_names(signed.authors, publication.authors_truncated):
        fields.append(("author", "{" + authors + "}"))
        if annotations := _bibtex_author_annotations(signed.authors):
            fields.append(("author+an", "{" + annotations + "}"))
    # A version's editors would be those of the cited version's book or proceedings.
    editors = _bibtex_names(signed.editors, publication.editors_truncated)
    if editors and work is publication:
        fields.append(("editor", "{" + editors + "}"))
    return fields


def _bibtex_fields(
    work: CitedFields, title: str, publication: Publication, signed: _Signed
) -> list[tuple]:
    """(field, value) of a BibTeX entry for ``work``, a publication or one of its versions."""
    fields = [("title", "{{" + _bibtex_value(title) + "}}")]
    fields += _bibtex_people(work, publication, signed)
    fields.append(("year", f"{{{work.year}}}"))
    if work.month:
        # The month macro, which BibTeX styles print as a name and biber reads as a number.
        fields.append(("month", MONTHS[work.month - 1]))
        if work.day:
            fields.append(("day", f"{{{work.day}}}"))
    if work.pages:
        first, last = page_range(work.pages)
        fields.append(("pages", "{" + _bibtex_value(f"{first}--{last}" if last else first) + "}"))
    for name, _ris, _csl, value in mapping(work):
        if name:
            text = _bibtex_verbatim(value) if name == "doi" else _bibtex_value(value)
            fields.append((name, "{" + text + "}"))
    if work.arxiv_id:
        fields += [
            ("eprint", f"{{{_bibtex_verbatim(work.arxiv_id)}}}"),
            ("archiveprefix", "{arXiv}"),
        ]
    if work.url:
        fields.append(("url", "{" + _bibtex_verbatim(work.url) + "}"))
    return fields


def _bibtex_type(work: CitedFields) -> str:
    # A kind stored before its choices were checked is exported as the generic type.
    return BIBTEX_TYPES.get(work.kind, "misc")


def _bibtex_entry(entry_type: str, key: str, fields: list[tuple[str, str]]) -> str:
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def _bibtex_entries(
    key: str, publication: Publication, signed: _Signed, used: set[str], *, abstract: bool = True
) -> list[str]:
    """The publication's entry, then one entry per other version, which only supplies data:
    biblatex prints it within the cited entry (related), never as an item of its own."""
    versions = [
        (_unique(f"{key}-{_NOT_KEY.sub('', v.kind.lower())}", used), v) for v in signed.versions
    ]
    fields = _bibtex_fields(publication, publication.title, publication, signed)
    if abstract and publication.abstract:
        fields.append(("abstract", "{" + _bibtex_value(publication.abstract) + "}"))
    langid = ("langid", "{" + _bibtex_value(publication.language) + "}")
    fields.append(langid)
    if versions:
        fields.append(("related", "{" + ",".join(k for k, _v in versions) + "}"))
    entries = [_bibtex_entry(_bibtex_type(publication), key, fields)]
    for version_key, version in versions:
        fields = _bibtex_fields(version, version.title or publication.title, publication, signed)
        fields += [langid, ("options", "{dataonly}")]
        entries.append(_bibtex_entry(_bibtex_type(version), version_key, fields))
    return entries


def to_bibtex(publications: Iterable[Publication]) -> str:
    """BibTeX in UTF-8 (which biber reads); titles in double braces so their capitals are kept;
    each publication's other versions follow it."""
    keyed = _keyed(publications)
    prefetch_related_objects([p for _key, p in keyed], "versions")
    used = {key for key, _p in keyed}
    entries = []
    for key, publication in keyed:
        signed = _Signed.of(publication.authorships.all(), publication.versions.all())
        entries += _bibtex_entries(key, publication, signed, used)
    return "\n".join(entries)


def publication_bibtex(
    publication: Publication,
    *,
    authorships: Iterable[Authorship],
    versions: Iterable[PublicationVersion],
    abstract: bool = True,
) -> str:
    """One publication's BibTeX as :func:`to_bibtex` writes it, from the authorships (their
    authors in them) and other versions the caller already holds: a list item makes it from
    the rows it read for its author list, at no query. ``abstract=False`` leaves the abstract
    out of a citation to copy, which the page shows anyway."""
    signed = _Signed.of(authorships, versions)
    key = citation_key(publication, [*signed.authors, *signed.editors])
    return "\n".join(_bibtex_entries(key, publication, signed, {key}, abstract=abstract))


def _ris_name(author: Author) -> str:
    """Family, Given, Suffix as RIS asks; an organisation's name whole."""
    family = author.family_name or author.display_name
    if author.is_organization:
        return author.display_name
    if author.suffix:
        return f"{family}, {author.given_name}, {author.suffix}"
    return f"{family}, {author.given_name}" if author.given_name else family


def _ris_date(work: CitedFields) -> str:
    """2023/07/15/ or 2023/07//: year, month, day and a free part, as RIS writes dates."""
    parts = [f"{part:02d}" for part in issued(work)] + ["", ""]
    return "/".join(parts[:3]) + "/"


def _ris_record(publication: Publication) -> list[tuple[str, str]]:
    # Neither RIS nor CSL can say that a list of names is cut short: an "et al." written as a
    # name would be imported by Zotero as an author called "et al.", so the list stays as is.
    kind = publication.kind
    editor_tag = RIS_EDITOR_TAGS.get(kind, "A2")
    tags = [("TY", RIS_TYPES.get(kind, "GEN")), ("TI", publication.title)]
    tags += [("AU", _ris_name(a)) for a in _author_list(publication)]
    tags += [(editor_tag, _ris_name(a)) for a in _editor_list(publication)]
    tags.append(("PY", str(publication.year)))
    if publication.month:
        tags.append(("DA", _ris_date(publication)))
    if publication.pages:
        first, last = page_range(publication.pages)
        tags += [("SP", first), ("EP", last)] if last else [("SP", first)]
    tags += [(ris, value) for _bib, ris, _csl, value in mapping(publication) if ris]
    if publication.arxiv_id:
        tags += [("DB", "arXiv"), ("AN", publication.arxiv_id)]
    tags += [("UR", url) for url in dict.fromkeys((publication.url, publication.arxiv_url)) if url]
    if publication.abstract:
        tags.append(("AB", publication.abstract))
    tags.append(("LA", publication.language))
    return tags


def to_ris(publications: Iterable[Publication]) -> str:
    """RIS records, one per publication, with CRLF line ends as the format asks."""
    lines: list[str] = []
    for publication in publications:
        for tag, value in _ris_record(publication):
            lines.append(f"{tag}  - {' '.join(value.split())}")
        lines += ["ER  - ", ""]
    return "\r\n".join(lines)


def _csl_name(author: Author) -> dict[str, str]:
    if author.is_organization:
        return {"literal": author.display_name}
    parts = {
        "family": author.family_name or author.display_name,
        "given": author.given_name,
        "suffix": author.suffix,
    }
    return {name: value for name, value in parts.items() if value}


def _csl_item(key: str, publication: Publication) -> dict:
    # Truncated name lists are left as they are (see _ris_record): a {"literal": "others"}
    # would be printed by citeproc as an author called "others".
    item = {
        "id": key,
        "type": CSL_TYPES.get(publication.kind, "document"),
        "title": publication.title,
    }
    for role, authors in (("author", _author_list), ("editor", _editor_list)):
        names = [_csl_name(author) for author in authors(publication)]
        if names:
            item[role] = names
    item["issued"] = {"date-parts": [issued(publication)]}
    if publication.pages:
        first, last = page_range(publication.pages)
        # A hyphen, which citeproc-js, citeproc-py and Zotero all read as a range.
        item["page"] = f"{first}-{last}" if last else first
    item.update({csl: value for _bib, _ris, csl, value in mapping(publication) if csl})
    if publication.arxiv_id:
        # CSL has no arXiv variable, and its "number" is the report or article number.
        item.update({"archive": "arXiv", "archive_location": publication.arxiv_id})
    if publication.url or publication.arxiv_url:
        item["URL"] = publication.url or publication.arxiv_url
    if publication.abstract:
        item["abstract"] = publication.abstract
    item["language"] = publication.language
    return item


def to_csl_json(publications: Iterable[Publication]) -> str:
    """CSL-JSON, the format of Zotero and citeproc; the ids are the BibTeX keys."""
    items = [_csl_item(key, publication) for key, publication in _keyed(publications)]
    return json.dumps(items, ensure_ascii=False, indent=2)


RENDERERS = {"bib": to_bibtex, "ris": to_ris, "json": to_csl_json}


def export_response(publications, *, fmt: str, filename: str):
    """An HTTP download of ``publications`` in ``fmt`` (bib, ris or json)."""
    from django.http import HttpResponse

    content_type, extension = FORMATS[fmt]
    response = HttpResponse(RENDERERS[fmt](publications), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response


def export_filename(*parts: object) -> str:
    """A file name in lower-case ASCII: "Razvan Pascanu" -> "razvan-pascanu"."""
    text = "-".join(str(part) for part in parts if part)
    return _NOT_KEY.sub("-", fold(text)).strip("-")[:80] or "publications"
