"""Citation formats for publications: BibTeX, RIS and CSL-JSON."""

import json
import re
from collections.abc import Iterable

from profiles.collation import fold

from .models import Publication

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
BIBTEX_VENUE_FIELDS = {
    Kind.JOURNAL_ARTICLE: "journal",
    Kind.CONFERENCE_PAPER: "booktitle",
    Kind.BOOK_CHAPTER: "booktitle",
    Kind.BOOK: "publisher",
    Kind.THESIS: "school",
    Kind.REPORT: "institution",
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

FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}

_BIBTEX_SPECIAL = re.compile(r"([{}%&$#_\\~])")
_BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}"}
_NOT_KEY = re.compile(r"[^a-z0-9]+")


def _authors(publication: Publication):
    return [authorship.author for authorship in publication.authorships.all()]


def citation_key(publication: Publication) -> str:
    """A readable key: first author's family name, year and first title word, in ASCII."""
    authors = _authors(publication)
    family = authors[0].family_name if authors else "anonymous"
    words = [w for w in _NOT_KEY.split(fold(publication.title)) if len(w) > 3] or ["paper"]
    return _NOT_KEY.sub("", fold(family)) + str(publication.year) + words[0]


def _bibtex_value(text: str) -> str:
    def escape(match: re.Match) -> str:
        char = match.group(1)
        return _BIBTEX_ESCAPES.get(char, "\\" + char)

    return _BIBTEX_SPECIAL.sub(escape, text)


def to_bibtex(publications: Iterable[Publication]) -> str:
    """BibTeX in UTF-8; titles in double braces so their capitals are kept."""
    entries = []
    used: set[str] = set()
    for publication in publications:
        key = base = citation_key(publication)
        suffix = ord("a")
        while key in used:
            key = f"{base}{chr(suffix)}"
            suffix += 1
        used.add(key)
        fields = [("title", "{" + _bibtex_value(publication.title) + "}")]
        names = [
            ", ".join(part for part in [a.family_name, a.given_name] if part)
            for a in _authors(publication)
        ]
        fields.append(("author", " and ".join(_bibtex_value(name) for name in names)))
        fields.append(("year", str(publication.year)))
        if publication.venue:
            venue_field = BIBTEX_VENUE_FIELDS.get(publication.kind, "howpublished")
            fields.append((venue_field, _bibtex_value(publication.venue)))
        if publication.doi:
            fields.append(("doi", publication.doi))
        if publication.arxiv_id:
            fields += [("eprint", publication.arxiv_id), ("archiveprefix", "arXiv")]
        if publication.url:
            fields.append(("url", publication.url))
        if publication.abstract:
            fields.append(("abstract", _bibtex_value(publication.abstract)))
        fields.append(("langid", publication.language))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@{BIBTEX_TYPES[publication.kind]}{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


def to_ris(publications: Iterable[Publication]) -> str:
    """RIS records, one per publication, with CRLF line ends as the format asks."""
    lines: list[str] = []
    for publication in publications:
        lines.append(f"TY  - {RIS_TYPES[publication.kind]}")
        lines.append(f"TI  - {publication.title}")
        for author in _authors(publication):
            name = ", ".join(part for part in [author.family_name, author.given_name] if part)
            lines.append(f"AU  - {name}")
        lines.append(f"PY  - {publication.year}")
        lines.append(f"LA  - {publication.language}")
        if publication.venue:
            lines.append(f"T2  - {publication.venue}")
        if publication.abstract:
            lines.append(f"AB  - {' '.join(publication.abstract.split())}")
        if publication.doi:
            lines.append(f"DO  - {publication.doi}")
        if publication.url or publication.arxiv_url:
            lines.append(f"UR  - {publication.url or publication.arxiv_url}")
        if publication.arxiv_id:
            lines.append(f"N1  - arXiv:{publication.arxiv_id}")
        lines.append("ER  - ")
        lines.append("")
    return "\r\n".join(lines)


def to_csl_json(publications: Iterable[Publication]) -> str:
    """CSL-JSON, the format of Zotero and citeproc."""
    items = []
    for publication in publications:
        item = {
            "id": citation_key(publication),
            "type": CSL_TYPES[publication.kind],
            "title": publication.title,
            "author": [
                {"family": a.family_name, "given": a.given_name}
                if a.given_name
                else {"literal": a.family_name or a.display_name}
                for a in _authors(publication)
            ],
            "issued": {"date-parts": [[publication.year]]},
            "language": publication.language,
        }
        if publication.venue:
            item["container-title"] = publication.venue
        if publication.abstract:
            item["abstract"] = publication.abstract
        if publication.doi:
            item["DOI"] = publication.doi
        if publication.url or publication.arxiv_url:
            item["URL"] = publication.url or publication.arxiv_url
        if publication.arxiv_id:
            item["number"] = f"arXiv:{publication.arxiv_id}"
        items.append(item)
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
