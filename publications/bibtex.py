"""Reading BibTeX: entries turned into complete publication data, what was left out reported.

Nothing here touches the database; ``publications.services`` decides what to store. Only an
entry without a usable title or year, or whose title, names or number of names the database
cannot hold, is refused: any other value that cannot be used (one longer than its column
included) is left out with a warning that names the field and the value.
"""

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import bibtexparser
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
    String,
)
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Model
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.text import name_key, title_key, without_control_characters

from .identifiers import normalize_arxiv_id, normalize_doi
from .latex import latex_to_text
from .models import YEAR_MAX, YEAR_MIN, Author, Authorship, Publication

Kind = Publication.Kind


@dataclass(frozen=True)
class ParsedAuthor:
    display_name: str  # "Martin Luther King Jr.", "World Health Organization"
    given_name: str = ""
    family_name: str = ""  # never holds the suffix
    suffix: str = ""  # "Jr.", "III"
    is_organization: bool = False  # a name wholly in braces: {World Health Organization}


@dataclass
class ParsedEntry:
    key: str
    line: int
    kind: str
    title: str
    year: int
    authors: list[ParsedAuthor]
    editors: list[ParsedAuthor]
    authors_truncated: bool = False  # the author list ended with "and others"
    # The marks of authors by their position in ``authors`` (from 1): "equal" (equal
    # contribution) and "corresponding", from biblatex data annotations (author+an).
    author_marks: dict[int, frozenset[str]] = field(default_factory=dict)
    editors_truncated: bool = False
    venue: str = ""
    month: int | None = None
    day: int | None = None
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    edition: str = ""
    series: str = ""
    institution: str = ""
    number: str = ""  # report number, or series number of a book or proceedings
    address: str = ""
    note: str = ""
    abstract: str = ""
    doi: str = ""
    arxiv_id: str = ""
    url: str = ""
    pdf_url: str = ""
    language: str = "en"
    related: list[str] = field(default_factory=list)
    data_only: bool = False  # biblatex "dataonly": the entry only supplies data to others
    warnings: list[str] = field(default_factory=list)

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
    warnings: list[EntryProblem] = field(default_factory=list)  # one per value left out


class EntryError(ValueError):
    """An entry that cannot be imported, with the reason."""


class BibtexFileError(ValueError):
    """A file that cannot be read as BibTeX text at all, with a message for the person."""


@dataclass(frozen=True)
class EntryType:
    """How one BibTeX entry type is read: its kind, and the fields its venue and institution
    come from; the "number" of an article is its issue, of anything else a series or report
    number."""

    kind: str
    venue: tuple[str, ...] = ("howpublished",)
    institution: tuple[str, ...] = ("institution",)
    number_is_issue: bool = False


_ARTICLE = EntryType(Kind.JOURNAL_ARTICLE, ("journal", "journaltitle"), number_is_issue=True)
_PAPER = EntryType(Kind.CONFERENCE_PAPER, ("booktitle",))
_BOOK = EntryType(Kind.BOOK, ())
_CHAPTER = EntryType(Kind.BOOK_CHAPTER, ("booktitle",))
_THESIS = EntryType(Kind.THESIS, (), ("school", "institution"))
_REPORT = EntryType(Kind.REPORT, ())
_OTHER = EntryType(Kind.OTHER)
ENTRY_TYPES = {
    "article": _ARTICLE,
    "inproceedings": _PAPER, "conference": _PAPER,
    "book": _BOOK, "proceedings": _BOOK, "collection": _BOOK, "mvcollection": _BOOK,
    "mvbook": _BOOK, "mvproceedings": _BOOK, "reference": _BOOK, "mvreference": _BOOK,
    "inbook": _CHAPTER, "incollection": _CHAPTER, "bookinbook": _CHAPTER,
    "inreference": _CHAPTER,
    "phdthesis": _THESIS, "mastersthesis": _THESIS, "thesis": _THESIS,
    "techreport": _REPORT, "report": _REPORT,
    # A manual is documentation published by an organisation, the nearest kind is a report.
    "manual": EntryType(Kind.REPORT, (), ("organization", "institution")),
    "unpublished": EntryType(Kind.PREPRINT),
    "misc": _OTHER, "online": _OTHER, "electronic": _OTHER, "www": _OTHER,
}  # fmt: skip
# biblatex blocks that hold data for other entries or group them, not publications.
NOT_PUBLICATIONS = {"xdata", "set"}
# What an entry takes from the entry its crossref or xdata names when it lacks the field.
# Identifiers, addresses and abstracts describe the parent itself and are never inherited.
INHERITED_FIELDS = (
    "year", "date", "month", "editor", "booktitle", "journal", "journaltitle", "publisher",
    "address", "location", "series", "volume", "number", "edition", "organization",
    "institution", "school", "howpublished", "language", "langid",
)  # fmt: skip
# Fields read from an entry: only a repetition of one of these is worth a warning.
READ_FIELDS = {
    "title", "subtitle", "year", "date", "month", "author", "editor", "journal",
    "journaltitle", "booktitle", "howpublished", "volume", "number", "issue", "pages",
    "publisher", "edition", "series", "institution", "school", "organization", "address",
    "location", "note", "abstract", "doi", "eprint", "archiveprefix", "eprinttype", "arxivid",
    "url", "pdf", "file", "language", "langid", "related", "options", "crossref", "xdata",
    "author+an", "author+an:default",
}  # fmt: skip
# The marks of biblatex data annotations on the author list (author+an = {1=equal;
# 2=equal,corresponding}) that authorships record, as the import reads them and the export
# writes them; other annotations mean nothing here.
MARK_EQUAL_CONTRIBUTION = "equal"
MARK_CORRESPONDING = "corresponding"
AUTHOR_MARKS = frozenset({MARK_EQUAL_CONTRIBUTION, MARK_CORRESPONDING})

JUNIOR_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
MONTHS = {
    name: number
    for number, full in enumerate(calendar.month_name[1:], start=1)
    for name in (full.lower(), full[:3].lower())
} | {"sept": 9}
# BibTeX's own macros: "month = jul" works in every file without an @string.
PREDEFINED_MACROS = {full[:3].lower(): full for full in calendar.month_name[1:]}

_ARXIV_JOURNAL = re.compile(r"arxiv(?:\s+preprint)?(?:\s+arxiv)?\s*:\s*(\S+)", re.IGNORECASE)
_ARXIV_ONLY_VENUE = re.compile(r"^(?:arxiv(?:\s+preprint)?|corr)$", re.IGNORECASE)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_ARXIV_NEW_ID = re.compile(r"^\d{4}\.\d{4,5}(?:v\d+)?$")
_DOI_URL = re.compile(r"doi\.org/(10\.\S+)", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?!\d)")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?(?:\s+(\d{1,2}))?$|^(\d{1,2})\.?(?:\s+([a-z]+)\.?)?$")
_PAGE_DASH = re.compile(r"(?<=\w)\s*(?:-+|[\u2010-\u2015\u2212])\s*(?=\w)")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_BRACE = re.compile(r"(?<!\\)[{}]")
_CONCATENATION_MARK = re.compile(r'(?<!\\)[{}"#]')
_URL_COMMAND = re.compile(r"\\(?:url|href)\s*\{([^{}]*)\}(?:\{[^{}]*\})?")
_ESCAPED = re.compile(r"\\([_%&#$~])")
# One item of a data annotation: "2=equal,corresponding" (a name's part, "2:family=…", is not).
_ANNOTATION_ITEM = re.compile(r"^\s*(\d+)\s*=\s*(.*?)\s*$")
_URL_SEPARATOR = re.compile(r"[\s;]+|,(?=\s*https?://)", re.IGNORECASE)
_VALIDATE_URL = URLValidator(schemes=["http", "https"])

MAX_FILE_BYTES = 20 * 1024 * 1024


def file_too_large_message(size: int, *, limit: int = MAX_FILE_BYTES) -> str:
    """Why a file of ``size`` bytes is refused: by how much it is over the limit, in a unit
    that shows the difference however small."""
    excess = size - limit
    if excess < 1024:
        over = ngettext("%(count)s byte", "%(count)s bytes", excess) % {"count": excess}
    elif excess < 1024 * 1024:
        over = _("%(count)s KB") % {"count": number_format(excess / 1024, decimal_pos=1)}
    else:
        over = _("%(count)s MB") % {"count": number_format(excess / 1024 / 1024, decimal_pos=1)}
    return _("The file is too large: %(size)s bytes, %(over)s over the limit of %(limit)s MB.") % {
        "size": number_format(size, force_grouping=True),
        "over": over,
        "limit": limit // 1024 // 1024,
    }


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


# Reading the file ----------------------------------------------------------------------------


@dataclass
class _Record:
    """One entry as written: its field values with macros resolved, LaTeX still in them."""

    key: str
    entry_type: str
    line: int
    fields: dict[str, str]
    repeated: list[tuple[str, str]]  # (field, value) of each repetition that was left out
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, value, reason)


def parse_bibtex(text: str) -> ParseResult:
    """Every entry of ``text`` as clean data, or the reason it cannot be used."""
    result = ParseResult()
    # No key, name or value of the file keeps a control character: none is meant, and stored
    # they break feeds and exports.
    text = without_control_characters(text)
    records = _records(text, result.problems)
    by_key = {record.key: record for record in records}
    for record in records:
        if "crossref" in record.fields or "xdata" in record.fields:
            _inherit(record, by_key)
        if record.entry_type in NOT_PUBLICATIONS:
            continue
        try:
            entry = parse_entry(
                record.key, record.entry_type, record.fields, record.line, repeated=record.repeated
            )
        except EntryError as error:
            result.problems.append(EntryProblem(record.key, record.line, str(error)))
            continue
        entry.warnings[:0] = [_left_out(*note) for note in record.notes]
        result.entries.append(entry)
        result.warnings += [EntryProblem(entry.key, entry.line, w) for w in entry.warnings]
    result.problems.sort(key=lambda problem: problem.line)
    return result


def _records(text: str, problems: list[EntryProblem]) -> list[_Record]:
    """The entries of ``text`` in file order; unreadable blocks and repeated keys go to
    ``problems``. Macros are resolved in file order, as BibTeX does: a later @string
    redefines a macro for the entries after it."""
    # Splitting only: the default middlewares neither resolve "#" concatenations nor
    # reach entries that bibtexparser set aside for a repeated field.
    library = bibtexparser.parse_string(text, parse_stack=[])
    macros = dict(PREDEFINED_MACROS)
    records: list[_Record] = []
    lines: dict[str, int] = {}
    for block in library.blocks:
        if isinstance(block, (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock)):
            block = block.ignore_error_block
        if isinstance(block, String):
            macros[block.key.strip().lower()] = _evaluate(block.value, macros)
        elif isinstance(block, Entry):
            line = block.start_line + 1
            if block.key in lines:
                message = _("the key is already used by the entry on line %(line)d")
                problems.append(EntryProblem(block.key, line, message % {"line": lines[block.key]}))
                continue
            lines[block.key] = line
            records.append(_record(block, line, macros))
        elif isinstance(block, ParsingFailedBlock):
            reason = _("unreadable BibTeX: %(reason)s") % {"reason": _short_error(block)}
            problems.append(
                EntryProblem(_key_of_raw_block(block.raw), block.start_line + 1, reason)
            )
    return records


def _record(entry: Entry, line: int, macros: dict[str, str]) -> _Record:
    """An entry's values by lower-case field name; a repeated field keeps its first value."""
    fields: dict[str, str] = {}
    repeated = []
    for item in entry.fields:
        name = item.key.lower()
        value = _evaluate(item.value, macros).strip()
        if name not in fields:
            fields[name] = value
        elif name in READ_FIELDS and value != fields[name]:
            repeated.append((name, value))
    return _Record(entry.key, entry.entry_type.lower(), line, fields, repeated)


def _evaluate(raw: str, macros: dict[str, str]) -> str:
    """A value as written (`{…}`, `"…"`, a number, a macro, or parts joined with `#`) as
    its text; a macro that no @string defines stays as its name."""
    if "#" not in raw:
        return _evaluate_part(raw, macros)
    parts = []
    depth, quoted, start = 0, False, 0
    for mark in _CONCATENATION_MARK.finditer(raw):
        char = mark.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth:
            continue
        elif char == '"':
            quoted = not quoted
        elif not quoted:
            parts.append(raw[start : mark.start()])
            start = mark.end()
    parts.append(raw[start:])
    return "".join(_evaluate_part(part, macros) for part in parts)


def _evaluate_part(part: str, macros: dict[str, str]) -> str:
    part = part.strip()
    if len(part) >= 2 and (part[0], part[-1]) in (("{", "}"), ('"', '"')):
        return part[1:-1]
    if part.isdigit():
        return part
    return macros.get(part.lower(), part)


def _inherit(record: _Record, by_key: dict[str, _Record]) -> None:
    """The container fields the entry lacks, taken from its crossref and xdata entries."""
    for link in ("crossref", "xdata"):
        for parent_key in _verbatim(record.fields.get(link, "")).split(","):
            parent = by_key.get(parent_key.strip())
            if parent is None:
                if parent_key.strip():
                    reason = _("no entry of the file has this key")
                    record.notes.append((link, parent_key.strip(), reason))
                continue
            for name in INHERITED_FIELDS:
                if name in parent.fields:
                    record.fields.setdefault(name, parent.fields[name])
            # The title of the book or proceedings is the booktitle of what is in it.
            if link == "crossref" and "title" in parent.fields:
                record.fields.setdefault("booktitle", parent.fields["title"])


# Reading one entry ---------------------------------------------------------------------------


class _Fields:
    """One entry's field values, and the warnings for the values that were left out."""

    __slots__ = ("values", "warnings")

    def __init__(self, values: dict[str, str]):
        self.values = values
        self.warnings: list[str] = []

    def raw(self, *names: str) -> str:
        """The first of ``names`` that holds a value, as written (LaTeX included)."""
        for name in names:
            if value := self.values.get(name):
                return value
        return ""

    def name_of(self, *names: str) -> str:
        return next((name for name in names if self.values.get(name)), names[0])

    def text(self, *names: str, column: str = "") -> str:
        """The first of ``names`` that holds a value, as plain text; left out when it is longer
        than the publication's ``column`` holds."""
        for name in names:
            if value := self.values.get(name):
                value = latex_to_text(value)
                return self.fit(name, value, column) if column else value
        return ""

    def verbatim(self, *names: str) -> str:
        """An identifier or address: escapes and braces removed, nothing else converted."""
        return _verbatim(self.raw(*names))

    def fit(self, name: str, value: str, column: str) -> str:
        """``value``, or nothing when the publication's ``column`` cannot hold it: a value cut
        short would be another value."""
        limit = max_length(Publication, column)
        if len(value) <= limit:
            return value
        self.leave_out(name, value, _too_long(limit))
        return ""

    def leave_out(self, name: str, value: str, reason: str) -> None:
        self.warnings.append(_left_out(name, value, reason))


def parse_entry(
    key: str,
    entry_type: str,
    fields: dict[str, str],
    line: int,
    *,
    repeated: Iterable[tuple[str, str]] = (),
) -> ParsedEntry:
    """One BibTeX entry's fields (LaTeX values with macros resolved, lower-case names) as
    clean data. ``repeated`` holds the (field, value) of repetitions that were left out."""
    reader = _Fields(fields)
    for name, value in repeated:
        reader.leave_out(name, value, _("the field is repeated; its first value was kept"))
    title = _title(reader)
    year, month, day = _date(reader)
    source = ENTRY_TYPES.get(entry_type.lower(), _OTHER)
    authors, authors_truncated = parse_authors(reader.raw("author"))
    editors, editors_truncated = parse_authors(reader.raw("editor"))
    _check_people(authors, _("it has more than %(limit)d authors"))
    _check_people(editors, _("it has more than %(limit)d editors"))
    venue = reader.text(*source.venue, column="venue")
    details = _details(reader, source)
    doi = _doi(reader)
    arxiv_id = _arxiv_id(reader, venue, doi)
    kind, venue = _kind_and_venue(source.kind, venue, arxiv_id, details)
    return ParsedEntry(
        key=key,
        line=line,
        kind=kind,
        title=title,
        year=year,
        month=month,
        day=day,
        authors=authors,
        editors=editors,
        authors_truncated=authors_truncated,
        editors_truncated=editors_truncated,
        author_marks=_author_marks(reader, len(authors)),
        venue=venue,
        doi=doi,
        arxiv_id=arxiv_id,
        **details,
        warnings=reader.warnings,
    )


def _kind_and_venue(kind: str, venue: str, arxiv_id: str, details: dict) -> tuple[str, str]:
    """An entry on arXiv whose venue is only arXiv itself, or that has no venue and no
    type of its own, is a preprint."""
    if arxiv_id and (_ARXIV_JOURNAL.search(venue) or _ARXIV_ONLY_VENUE.match(venue)):
        # "arXiv preprint arXiv:…" or "CoRR" names no venue.
        if details["volume"].lower().startswith("abs/"):
            details["volume"] = ""  # CoRR's "abs/2101.00042" repeats the arXiv id
        return Kind.PREPRINT, ""
    if arxiv_id and kind == Kind.OTHER and not venue:
        return Kind.PREPRINT, venue
    return kind, venue


def _title(reader: _Fields) -> str:
    """The title, with its subtitle after a colon unless the title ends in punctuation."""
    title = reader.text("title")
    if not title:
        raise EntryError(_("it has no title"))
    if subtitle := reader.text("subtitle"):
        title = f"{title} {subtitle}" if title[-1] in ":?!." else f"{title}: {subtitle}"
    limit = max_length(Publication, "title")
    # The matching key folds letters, and may be longer than the title ("ß" is "ss").
    if len(title) > limit or len(title_key(title)) > max_length(Publication, "title_key"):
        raise EntryError(_("its title is longer than %(limit)d characters") % {"limit": limit})
    return title


def _details(reader: _Fields, source: EntryType) -> dict:
    """The fields that locate and describe the publication, beyond title, people and venue."""
    if source.number_is_issue:
        issue, number = reader.text("number", "issue", column="issue"), ""
    else:
        issue = reader.text("issue", column="issue")
        number = reader.text("number", column="number")
    pages = _PAGE_DASH.sub("–", reader.text("pages"))
    return {
        "volume": reader.text("volume", column="volume"),
        "issue": issue,
        "pages": reader.fit("pages", pages, "pages"),
        "publisher": reader.text("publisher", column="publisher"),
        "edition": reader.text("edition", column="edition"),
        "series": reader.text("series", column="series"),
        "institution": reader.text(*source.institution, column="institution"),
        "number": number,
        "address": reader.text("address", "location", column="address"),
        "note": reader.text("note", column="note"),
        "abstract": reader.text("abstract"),
        "url": _url(reader),
        "pdf_url": _pdf_url(reader),
        "language": _language(reader),
        "related": [key for key in map(str.strip, reader.verbatim("related").split(",")) if key],
        "data_only": _data_only(reader.verbatim("options")),
    }


# Dates -------------------------------------------------------------------------------------


def _date(reader: _Fields) -> tuple[int, int | None, int | None]:
    """Year, month and day from ``year``/``month`` or biblatex ``date`` (2023-07-15)."""
    year_text = reader.text("year")
    date_text = reader.text("date")
    date = _DATE.match(date_text)
    if not year_text and not date_text:
        raise EntryError(_("it has no year"))
    found = _YEAR.search(year_text) if year_text else (date or _YEAR.search(date_text))
    if not found:
        raise EntryError(
            _("its year “%(value)s” cannot be read") % {"value": (year_text or date_text)[:40]}
        )
    year = int(found.group(1))
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise EntryError(
            _("its year %(year)d is not between %(min)d and %(max)d")
            % {"year": year, "min": YEAR_MIN, "max": YEAR_MAX}
        )
    if month_text := reader.text("month"):
        month, day = _month_and_day(month_text)
        name, value = "month", month_text
    elif date and date.group(2):
        month, day = int(date.group(2)), int(date.group(3)) if date.group(3) else None
        name, value = "date", date_text
    else:
        return year, None, None
    if month is None or not 1 <= month <= 12:
        reader.leave_out(name, value, _("it is not a month"))
        return year, None, None
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        reader.leave_out(name, value, _("it is not a day of that month"))
        day = None
    return year, month, day


def _month_and_day(text: str) -> tuple[int | None, int | None]:
    """Month and day of a month field: "7", "07", "July", "Jul.", "15 July", and "July 15"
    as "jul # {~15}" reads."""
    match = _MONTH_DAY.match(text.lower())
    if not match:
        return None, None
    name, day, number, day_name = match.groups()
    if number is not None:  # "7" or "15 July"
        if day_name is None:
            return int(number), None
        name, day = day_name, number
    month = MONTHS.get(name)
    if month is None and len(name) > 3 and name[:3] in MONTHS:
        # "Sept", "Febr.": an abbreviation longer than three letters
        full = calendar.month_name[MONTHS[name[:3]]].lower()
        month = MONTHS[name[:3]] if full.startswith(name) else None
    return month, int(day) if day and month else None


# People ------------------------------------------------------------------------------------


def parse_authors(value: str) -> tuple[list[ParsedAuthor], bool]:
    """The people of a BibTeX name list, in order, and whether it ends with "and others"."""
    people: list[ParsedAuthor] = []
    truncated = False
    for raw_name in _split_names(" ".join(value.split())):
        if raw_name.strip().lower() == "others":
            truncated = True
            continue
        person = parse_name(raw_name)
        if person.display_name:
            people.append(person)
    return people, truncated


def _author_marks(reader: _Fields, count: int) -> dict[int, frozenset[str]]:
    """The marks biblatex data annotations give the authors (``author+an = {1=equal;
    2=equal,corresponding}``), by position: equal contribution and corresponding author. Other
    annotations (a highlighted name, a student) are not the site's to show and are passed over;
    a mark for a number the list does not reach is left out with a warning."""
    marks: dict[int, frozenset[str]] = {}
    # "author+an:default" is the same annotation by its full name, as biber writes it.
    for item in reader.raw("author+an", "author+an:default").split(";"):
        match = _ANNOTATION_ITEM.match(item)
        if match is None:
            continue
        shown = AUTHOR_MARKS.intersection(
            mark.strip().strip('"{}').lower() for mark in match.group(2).split(",")
        )
        if not shown:
            continue
        position = int(match.group(1))
        if 1 <= position <= count:
            marks[position] = marks.get(position, frozenset()) | shown
        else:
            name = reader.name_of("author+an", "author+an:default")
            reader.leave_out(name, item.strip(), _("no author has this number"))
    return marks


def _split_names(value: str) -> list[str]:
    """The names of a list joined with "and"; the character-by-character reading, which
    keeps "and" inside braces, only when braces could hide one."""
    if not value:
        return []
    names = _AND.split(value)
    if len(names) == 1 or "{" not in value:
        return names
    balanced = all(name.count("{") == name.count("}") for name in names)
    if balanced and "\\{" not in value and "\\}" not in value:
        return names
    return split_multiple_persons_names(value)


@lru_cache(maxsize=16384)
def parse_name(raw_name: str) -> ParsedAuthor:
    """A BibTeX name in any of its forms: "Given Family", "Family, Given",
    "von Family, Jr, Given", "Given von Family"; a suffix also as "Given Family, Jr.",
    "Family, Given, Jr." or "Given Family III"; an organisation wholly in braces."""
    name = " ".join(raw_name.split())
    if _wholly_braced(name):
        text = latex_to_text(name)
        return ParsedAuthor(display_name=text, family_name=text, is_organization=True)
    suffix = ""
    sections = name.split(",")
    if len(sections) == 2 and _is_suffix(sections[1]):
        name, suffix = sections[0], sections[1]  # "Martin Luther King, Jr.", "King, Jr"
    elif len(sections) == 3 and _is_suffix(sections[2]) and not _is_suffix(sections[1]):
        name, suffix = f"{sections[0]},{sections[1]}", sections[2]  # "Smith, John, Jr."
    elif len(sections) == 1 and " " in name and _is_suffix(name.rsplit(" ", 1)[1]):
        name, suffix = name.rsplit(" ", 1)  # "John Smith III"
    # Lenient reading: a stray brace or comma is worked around, never refused.
    parts = parse_single_name_into_parts(name, strict=False)
    given = latex_to_text(" ".join(parts.first))
    family = latex_to_text(" ".join([*parts.von, *parts.last]))
    suffix = latex_to_text(" ".join([*parts.jr, suffix.strip()]).strip())
    display = " ".join(part for part in (given, family, suffix) if part)
    return ParsedAuthor(display, given, family, suffix)


def _is_suffix(text: str) -> bool:
    return text.strip().lower() in JUNIOR_SUFFIXES


def _wholly_braced(text: str) -> bool:
    """Whether one pair of braces holds the whole text: "{World Health Organization}"."""
    if len(text) < 2 or text[0] != "{" or text[-1] != "}":
        return False
    depth = 0
    for brace in _BRACE.finditer(text):
        depth += 1 if brace.group() == "{" else -1
        if depth == 0:
            return brace.end() == len(text)
    return False


# Identifiers and addresses -----------------------------------------------------------------


def _doi(reader: _Fields) -> str:
    if raw := reader.verbatim("doi"):
        doi = normalize_doi(raw)
        if _is_valid(reader, "doi", raw, doi, "doi"):
            return doi
    if match := _DOI_URL.search(reader.verbatim("url")):
        doi = normalize_doi(match.group(1))
        if _is_valid(reader, "url", "", doi, "doi"):
            return doi
    return ""


def _arxiv_id(reader: _Fields, venue: str, doi: str) -> str:
    for name, raw, candidate in _arxiv_candidates(reader, venue, doi):
        arxiv_id = normalize_arxiv_id(candidate.rstrip(".,;"))
        if _is_valid(reader, name, raw, arxiv_id, "arxiv_id"):
            return arxiv_id
    return ""


def _arxiv_candidates(reader: _Fields, venue: str, doi: str) -> Iterator[tuple[str, str, str]]:
    """(field, value to name in a warning or "" for none, candidate id), most explicit
    first; an id found inside a longer value is not worth a warning when it is not one."""
    eprint = reader.verbatim("eprint")
    prefix = reader.verbatim("archiveprefix", "eprinttype").lower()
    if eprint and (
        prefix == "arxiv"
        or "arxiv" in eprint.lower()
        or (not prefix and _ARXIV_NEW_ID.match(eprint))
    ):
        yield "eprint", eprint, eprint
    if arxiv_id := reader.verbatim("arxivid"):
        yield "arxivid", arxiv_id, arxiv_id
    if match := _ARXIV_URL.search(reader.verbatim("url")):
        yield "url", "", match.group(1)
    if match := _ARXIV_JOURNAL.search(venue):
        yield "journal", "", match.group(1)
    if match := _ARXIV_DOI.match(doi):
        yield "doi", "", match.group(1)


def _is_valid(reader: _Fields, name: str, raw: str, value: str, column: str) -> bool:
    """Whether the publication's ``column`` takes ``value``, by the model field's validators."""
    try:
        Publication._meta.get_field(column).run_validators(value)
    except ValidationError as error:
        if raw:
            reader.leave_out(name, raw, error.messages[0])
        return False
    return True


def _url(reader: _Fields) -> str:
    """The first web address of ``url``; any other one is left out with a warning."""
    kept = ""
    for candidate in _URL_SEPARATOR.split(reader.verbatim("url")):
        if not (candidate := candidate.strip(",")):
            continue
        if kept:
            reader.leave_out("url", candidate, _("only the first web address was kept"))
        elif (reason := _url_problem(candidate, "url")) is None:
            kept = candidate
        else:
            reader.leave_out("url", candidate, reason)
    return kept


def _pdf_url(reader: _Fields) -> str:
    if value := reader.verbatim("pdf"):
        if (reason := _url_problem(value, "pdf_url")) is None:
            return value
        reader.leave_out("pdf", value, reason)
    # "file" usually lists local attachments ("Full Text:/home/…/a.pdf:PDF"): only an
    # address is worth reading.
    value = reader.verbatim("file")
    if value.startswith(("http://", "https://")) and _url_problem(value, "pdf_url") is None:
        return value
    return ""


def _url_problem(value: str, column: str) -> str | None:
    """Why the publication's ``column`` cannot hold the address ``value``, or None."""
    limit = max_length(Publication, column)
    if len(value) > limit:
        return _too_long(limit)
    try:
        _VALIDATE_URL(value)
    except ValidationError:
        return _("it is not a web address")
    try:
        Publication._meta.get_field(column).run_validators(value)
    except ValidationError as error:
        return error.messages[0]
    return None


def _verbatim(value: str) -> str:
    r"""An address or identifier as meant: "\url{…}" unwrapped, "\_" unescaped, braces
    dropped; "~" and "--" are kept, as they belong to addresses."""
    if "\\" in value:
        value = _ESCAPED.sub(r"\1", _URL_COMMAND.sub(r"\1", value))
    if "{" in value or "}" in value:
        value = value.replace("{", "").replace("}", "")
    return value.strip()


# Language and options ----------------------------------------------------------------------

LANGUAGE_NAMES = {
    "english": "en", "american": "en", "british": "en", "usenglish": "en", "ukenglish": "en",
    "canadian": "en", "australian": "en", "newzealand": "en", "french": "fr", "francais": "fr",
    "français": "fr", "canadien": "fr", "acadian": "fr", "german": "de", "ngerman": "de",
    "austrian": "de", "naustrian": "de", "swissgerman": "de", "nswissgerman": "de",
    "spanish": "es", "italian": "it", "portuguese": "pt", "portuges": "pt",
    "brazilian": "pt-BR", "brazil": "pt-BR", "dutch": "nl", "polish": "pl", "russian": "ru",
    "chinese": "zh", "japanese": "ja", "catalan": "ca", "czech": "cs", "danish": "da",
    "finnish": "fi", "greek": "el", "hungarian": "hu", "norwegian": "no", "swedish": "sv",
    "turkish": "tr", "ukrainian": "uk", "korean": "ko", "arabic": "ar", "hebrew": "he",
}  # fmt: skip
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _language(reader: _Fields) -> str:
    """The entry's language as a code (biblatex "langid" or "language"), English by default."""
    raw = reader.text("langid", "language")
    value = raw.strip().lower()
    value = LANGUAGE_NAMES.get(value, value)
    if len(value) > max_length(Publication, "language"):
        reader.leave_out(reader.name_of("langid", "language"), raw, _("it is not a known language"))
        return "en"
    if not value or _LANGUAGE_CODE.match(value):
        return value or "en"
    reader.leave_out(reader.name_of("langid", "language"), raw, _("it is not a known language"))
    return "en"


def _data_only(options: str) -> bool:
    """Whether biblatex ``options`` ("skipbib, dataonly=true") hold ``dataonly``."""
    if "dataonly" not in options.lower():
        return False
    for option in options.lower().split(","):
        name, _sign, value = option.partition("=")
        if name.strip() == "dataonly":
            return value.strip() in ("", "true")
    return False


# What the database holds ---------------------------------------------------------------------


def max_length(model: type[Model], column: str) -> int:
    return model._meta.get_field(column).max_length


# Positions are small integers; Django's portable range, which PostgreSQL enforces.
MAX_POSITION = BaseDatabaseOperations.integer_field_ranges[
    Authorship._meta.get_field("position").get_internal_type()
][1]
# The parts of a parsed name, each stored in the Author column of the same name.
_NAME_PARTS = ("display_name", "given_name", "family_name", "suffix")


def _check_people(people: list[ParsedAuthor], too_many: str) -> None:
    """Refuse the entry when the database cannot hold its list of names as written: a name cut
    short, or names left out, would be someone else's list."""
    if len(people) > MAX_POSITION:
        raise EntryError(too_many % {"limit": MAX_POSITION})
    for person in people:
        for part in _NAME_PARTS:
            limit = max_length(Author, part)
            if len(getattr(person, part)) > limit:
                raise EntryError(_name_too_long(person.display_name, limit))
        # The matching key folds letters, and may be longer than the name ("ß" is "ss").
        limit = max_length(Author, "name_key")
        if len(name_key(person.display_name)) > limit:
            raise EntryError(_name_too_long(person.display_name, limit))


# Messages ----------------------------------------------------------------------------------


def _too_long(limit: int) -> str:
    return _("it is longer than %(limit)d characters") % {"limit": limit}


def _name_too_long(name: str, limit: int) -> str:
    return _("the name “%(name)s” is longer than %(limit)d characters") % {
        "name": _shown(name),
        "limit": limit,
    }


def _left_out(name: str, value: str, reason: str) -> str:
    return _("%(field)s “%(value)s” was left out: %(reason)s") % {
        "field": name,
        "value": _shown(value),
        "reason": reason,
    }


def _shown(value: str, limit: int = 80) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else f"{value[: limit - 1]}…"


def _key_of_raw_block(raw: str) -> str:
    match = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)\s*,", raw or "")
    return match.group(1) if match else ""


def _short_error(block: ParsingFailedBlock) -> str:
    error = getattr(block, "error", None)
    reason = getattr(error, "abort_reason", "") or str(error or "").strip()
    return " ".join(reason.split())[:200] or "syntax error"
