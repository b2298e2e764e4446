"""How the site words a work's citation count and the notices about it (a retraction, a
correction), for its page and its list items, in the reader's language."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from .models import Publication, PublicationNotice

# The sources the harvest reads its counts from, as they name themselves; another source is
# shown by its key.
SOURCE_NAMES = {
    "openalex": "OpenAlex",
    "crossref": "Crossref",
    "dblp": "DBLP",
    "arxiv": "arXiv",
    "orcid": "ORCID",
}
# Notices a reader must see before anything else on the page; the others are listed lower.
GRAVE_NOTICES = (PublicationNotice.Kind.RETRACTION, PublicationNotice.Kind.WITHDRAWAL)


@dataclass(frozen=True)
class NoticeLine:
    """One notice as a page shows it: a sentence, and the notice's DOI when known."""

    text: str
    doi: str = ""
    doi_url: str = ""


@dataclass(frozen=True)
class PageNotices:
    """A publication's notices: the retractions and withdrawals shown at the top of its page,
    and the others (corrections, expressions of concern) listed with its links."""

    grave: list[NoticeLine]
    others: list[NoticeLine]


def grouped_number(count: int) -> str:
    """``count`` with the reader's thousands separator: 1,234 or 1 234."""
    return number_format(count, force_grouping=True)


def long_date(value: date | datetime) -> str:
    """3 March 2026, 3 mars 2026 (a moment on the site's calendar)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return date_format(value, "j F Y")


def cited_by(count: int) -> str:
    """Cited by 1,234 (a list item's words)."""
    return _("Cited by %(count)s") % {"count": grouped_number(count)}


def citation_summary(publication: Publication, source: str = "") -> str:
    """Cited by 1,234 (OpenAlex, read on 3 March 2026): the count, where and when it was read;
    empty while no count was read."""
    if publication.cited_by_count is None:
        return ""
    count = grouped_number(publication.cited_by_count)
    if publication.citations_read_at is None:
        return cited_by(publication.cited_by_count)
    values = {"count": count, "date": long_date(publication.citations_read_at)}
    if source:
        values["source"] = SOURCE_NAMES.get(source, source)
        return _("Cited by %(count)s (%(source)s, read on %(date)s)") % values
    return _("Cited by %(count)s (read on %(date)s)") % values


def page_notices(notices: list[PublicationNotice]) -> PageNotices:
    """``notices`` worded, the grave ones apart."""
    grave = [_notice_line(n, _grave_sentence(n)) for n in notices if n.kind in GRAVE_NOTICES]
    others = [_notice_line(n, _other_label(n)) for n in notices if n.kind not in GRAVE_NOTICES]
    return PageNotices(grave=grave, others=others)


def _notice_line(notice: PublicationNotice, text: str) -> NoticeLine:
    return NoticeLine(text=text, doi=notice.doi, doi_url=notice.doi_url)


def _grave_sentence(notice: PublicationNotice) -> str:
    retracted = notice.kind == PublicationNotice.Kind.RETRACTION
    if notice.date is None:
        if retracted:
            return _("This publication was retracted.")
        return _("This publication was withdrawn.")
    values = {"date": long_date(notice.date)}
    if retracted:
        return _("This publication was retracted on %(date)s.") % values
    return _("This publication was withdrawn on %(date)s.") % values


def _other_label(notice: PublicationNotice) -> str:
    """Correction, 3 March 2026."""
    kind = notice.get_kind_display()
    if notice.date is None:
        return str(kind)
    return f"{kind}, {long_date(notice.date)}"
