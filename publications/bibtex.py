"""Reading BibTeX: entries turned into clean publication data, problems reported by key and line.

Nothing here touches the database; ``publications.services`` decides what to store.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import bibtexparser
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from profiles.collation import title_key

from .identifiers import normalize_arxiv_id, normalize_doi, validate_arxiv_id, validate_doi
from .latex import latex_to_text
from .models import YEAR_MAX, YEAR_MIN, Publication

Kind = Publication.Kind

ENTRY_KINDS = {
    "article": Kind.JOURNAL_ARTICLE,
    "inproceedings": Kind.CONFERENCE_PAPER,
    "conference": Kind.CONFERENCE_PAPER,
    "proceedings": Kind.CONFERENCE_PAPER,
    "book": Kind.BOOK,
    "incollection": Kind.BOOK_CHAPTER,
    "inbook": Kind.BOOK_CHAPTER,
    "phdthesis": Kind.THESIS,
    "mastersthesis": Kind.THESIS,
    "thesis": Kind.THESIS,
    "techreport": Kind.REPORT,
    "report": Kind.REPORT,
    "unpublished": Kind.PREPRINT,
    "misc": Kind.OTHER,
    "online": Kind.OTHER,
}
VENUE_FIELDS = ["journal", "journaltitle", "booktitle", "school", "institution", "publisher"]
JUNIOR_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}

_ARXIV_JOURNAL = re.compile(r"arxiv(?:\s+preprint)?(?:\s+arxiv)?\s*:\s*(\S+)", re.IGNORECASE)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_DOI_URL = re.compile(r"doi\.org/(10\.\S+)", re.IGNORECASE)
_YEAR = re.compile(r"\b(\d{4})\b")


@dataclass(frozen=True)
class ParsedAuthor:
    display_name: str
    given_name: str
    family_name: str


@dataclass
class ParsedEntry:
    key: str
    line: int
    kind: str
    title: str
    year: int
    authors: list[ParsedAuthor]
    venue: str = ""
    abstract: str = ""
    doi: str = ""
    arxiv_id: str = ""
    url: str = ""
    pdf_url: str = ""
    language: str = "en"
    more_authors: bool = False  # the list ended with "and others"

    @cached_property
    def title_key(self) -> str:
        return title_key(self.title)


@dataclass(frozen=True)
class EntryProblem:
    key: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.key:
            where = _("%(key)s (line %(line)d)") % {"key": self.key, "line": self.line}
        else:
            where = _("line %(line)d") % {"line": self.line}
        return f"{where}: {self.message}"


@dataclass
class ParseResult:
    entries: list[ParsedEntry] = field(default_factory=list)
    problems: list[EntryProblem] = field(default_factory=list)


class EntryError(ValueError):
    """An entry that cannot be imported, with the reason."""


class BibtexFileError(ValueError):
    """A file that cannot be read as BibTeX text at all, with a message for the person."""


MAX_FILE_BYTES = 20 * 1024 * 1024


def decode_bibtex_file(data: bytes, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of an uploaded BibTeX file, or a BibtexFileError saying why it is unusable."""
    if len(data) > max_bytes:
        raise BibtexFileError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(len(data) / 1024 / 1024, 1), "limit": max_bytes // 1024 // 1024}
        )
    if not data.strip():
        raise BibtexFileError(_("The file is empty."))
    if b"\x00" in data[:65536]:
        raise BibtexFileError(
            _("This is not a text file (it contains binary data): choose a .bib file.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BibtexFileError(
            _(
                "The file is not in UTF-8 (unreadable byte at position %(position)d). "
                "Save it as UTF-8 and try again."
            )
            % {"position": error.start}
        ) from error
    if "@" not in text:
        raise BibtexFileError(_("No BibTeX entry was found in this text."))
    return text


def parse_bibtex(text: str) -> ParseResult:
    """Every entry of ``text`` as clean data, or the reason it cannot be used."""
    library = bibtexparser.parse_string(text)
    result = ParseResult()
    for block in library.failed_blocks:
        result.problems.append(
            EntryProblem(
                key=_key_of_raw_block(block.raw),
                line=block.start_line + 1,
                message=_("unreadable BibTeX: %(reason)s") % {"reason": _short_error(block)},
            )
        )
    for entry in library.entries:
        line = entry.start_line + 1
        try:
            result.entries.append(parse_entry(entry.key, entry.entry_type, _fields(entry), line))
        except EntryError as error:
            result.problems.append(EntryProblem(key=entry.key, line=line, message=str(error)))
    result.problems.sort(key=lambda problem: problem.line)
    return result


def parse_entry(key: str, entry_type: str, fields: dict[str, str], line: int) -> ParsedEntry:
    """One BibTeX entry's fields (raw LaTeX values, lower-case names) as clean data."""
    title = latex_to_text(fields.get("title", ""))
    if not title:
        raise EntryError(_("it has no title"))
    year = _year(fields)
    authors, more_authors = parse_authors(fields.get("author", "") or fields.get("editor", ""))
    if not authors:
        raise EntryError(_("it has no authors"))

    venue = next((latex_to_text(fields[name]) for name in VENUE_FIELDS if fields.get(name)), "")
    kind = ENTRY_KINDS.get(entry_type.lower(), Kind.OTHER)
    doi, arxiv_id = _identifiers(fields, venue)
    if arxiv_id and _ARXIV_JOURNAL.search(venue):
        venue = ""  # "arXiv preprint arXiv:…" names no venue: the paper is a preprint
        kind = Kind.PREPRINT
    elif arxiv_id and kind == Kind.OTHER and not venue:
        kind = Kind.PREPRINT

    url = fields.get("url", "").strip()
    return ParsedEntry(
        key=key,
        line=line,
        kind=kind,
        title=title[:500],
        year=year,
        authors=authors,
        venue=venue[:300],
        abstract=latex_to_text(fields.get("abstract", "")),
        doi=doi,
        arxiv_id=arxiv_id,
        url=url if url.startswith(("http://", "https://")) else "",
        pdf_url=_pdf_url(fields),
        language=_language(fields),
        more_authors=more_authors,
    )


def parse_authors(value: str) -> tuple[list[ParsedAuthor], bool]:
    """The people of a BibTeX name list, in order, and whether it ends with "and others"."""
    authors: list[ParsedAuthor] = []
    more = False
    value = " ".join(value.split())
    if not value:
        return authors, more
    for raw_name in split_multiple_persons_names(value):
        if raw_name.strip().lower() == "others":
            more = True
            continue
        author = parse_name(raw_name)
        if author.display_name:
            authors.append(author)
    return authors, more


@lru_cache(maxsize=16384)
def parse_name(raw_name: str) -> ParsedAuthor:
    """A BibTeX name in any of its forms: "Given Family", "Family, Given",
    "von Family, Jr, Given", "Given von Family"; "Family, Jr." read as a suffix."""
    commas = raw_name.split(",")
    if len(commas) == 2 and commas[1].strip().lower() in JUNIOR_SUFFIXES:
        raw_name = f"{_last_word_split(commas[0])}, {commas[1].strip()}, {_first_words(commas[0])}"
    try:
        parts = parse_single_name_into_parts(raw_name, strict=False)
    except InvalidNameError as error:
        raise EntryError(
            _("the name “%(name)s” cannot be read") % {"name": raw_name.strip()}
        ) from error
    given = latex_to_text(" ".join(parts.first))
    family = latex_to_text(" ".join([*parts.von, *parts.last]))
    junior = latex_to_text(" ".join(parts.jr))
    if junior:
        family = f"{family}, {junior}" if family else junior
    display = " ".join(part for part in [given, family] if part)
    return ParsedAuthor(display_name=display, given_name=given, family_name=family)


def _fields(entry) -> dict[str, str]:
    return {item.key.lower(): str(item.value).strip() for item in entry.fields}


def _year(fields: dict[str, str]) -> int:
    raw = fields.get("year", "") or fields.get("date", "")
    match = _YEAR.search(raw)
    if not raw:
        raise EntryError(_("it has no year"))
    if not match:
        raise EntryError(_("its year “%(value)s” cannot be read") % {"value": raw[:40]})
    year = int(match.group(1))
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise EntryError(
            _("its year %(year)d is not between %(min)d and %(max)d")
            % {"year": year, "min": YEAR_MIN, "max": YEAR_MAX}
        )
    return year


def _identifiers(fields: dict[str, str], venue: str) -> tuple[str, str]:
    doi = normalize_doi(fields.get("doi", "")) if fields.get("doi") else ""
    arxiv_id = ""
    eprint = fields.get("eprint", "")
    prefix = (fields.get("archiveprefix", "") or fields.get("eprinttype", "")).lower()
    if eprint and (prefix == "arxiv" or "arxiv" in eprint.lower()):
        arxiv_id = normalize_arxiv_id(eprint)
    url = fields.get("url", "")
    for pattern, source in ((_ARXIV_URL, url), (_ARXIV_JOURNAL, venue)):
        if not arxiv_id and (match := pattern.search(source)):
            arxiv_id = normalize_arxiv_id(match.group(1).rstrip(".,;"))
    if not doi and (match := _DOI_URL.search(url)):
        doi = normalize_doi(match.group(1))
    if not arxiv_id and doi and (match := _ARXIV_DOI.match(doi)):
        arxiv_id = normalize_arxiv_id(match.group(1))
    for value, validate in ((doi, validate_doi), (arxiv_id, validate_arxiv_id)):
        if value:
            try:
                validate(value)
            except ValidationError as error:
                raise EntryError(f"“{value[:60]}”: {error.messages[0]}") from error
    return doi, arxiv_id


LANGUAGE_NAMES = {
    "english": "en", "american": "en", "british": "en", "french": "fr", "francais": "fr",
    "german": "de", "ngerman": "de", "spanish": "es", "italian": "it", "portuguese": "pt",
    "brazilian": "pt-BR", "dutch": "nl", "polish": "pl", "russian": "ru", "chinese": "zh",
    "japanese": "ja",
}  # fmt: skip
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _language(fields: dict[str, str]) -> str:
    """The entry's language as a code (BibLaTeX "langid" or "language"), English by default."""
    value = (fields.get("langid") or fields.get("language") or "").strip().strip("{}").lower()
    value = LANGUAGE_NAMES.get(value, value)
    return value if _LANGUAGE_CODE.match(value) else "en"


def _pdf_url(fields: dict[str, str]) -> str:
    for name in ("pdf", "file"):
        value = fields.get(name, "").strip()
        if value.startswith(("http://", "https://")):
            return value
    return ""


def _first_words(text: str) -> str:
    return " ".join(text.split()[:-1])


def _last_word_split(text: str) -> str:
    words = text.split()
    return words[-1] if words else ""


def _key_of_raw_block(raw: str) -> str:
    match = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)\s*,", raw)
    return match.group(1) if match else ""


def _short_error(block) -> str:
    error = getattr(block, "error", None)
    reason = getattr(error, "abort_reason", "") or str(error or "").strip()
    return " ".join(reason.split())[:200] or "syntax error"
