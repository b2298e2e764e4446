"""The profile page's parts: its header, its publications under the visitor's filters (topic
chips, year, words), with the key publications first and the entries under their years, and
what surrounds the work (publications per year, coauthors, supervision)."""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.addresses import public_url
from core.caching import MemoRows, memo
from core.charts import year_chart
from core.listing import SEARCH_MAX_LENGTH, FacetOption, printable
from publications.entries import EntryLayout, RenderedItems
from publications.models import YEAR_MAX, YEAR_MIN, Publication
from publications.selectors import (
    key_publications_of_researcher,
    most_frequent_coauthors,
    researcher_topic_counts,
)
from publications.structured_data import json_ld_script, researcher_person

from ..models import Researcher, ResearchTopic
from ..selectors import (
    researcher_supervision,
)

PUBLICATIONS_PER_PAGE = 20
# A profile shows this many of its topics at once (the most published): the others are one
# tap away, so that on a phone the publications come right after the header.
PROFILE_TOPICS_SHOWN = 5
# A profile names this many coauthors, the most frequent; a page lists them all.
PROFILE_COAUTHORS_SHOWN = 10
# A biography longer than this shows its first paragraph, and the rest on demand.
BIOGRAPHY_SHOWN_WHOLE = 600


@dataclass(frozen=True)
class ProfileFilters:
    """What a profile's query string chose among the owner's publications, each value checked
    first: one that cannot be used is named in ``messages`` and left out, never a 500."""

    topic: ResearchTopic | None = None
    year: int | None = None
    text: str = ""
    messages: tuple[str, ...] = ()

    @property
    def in_use(self) -> bool:
        return bool(self.topic or self.year or self.text)

    @property
    def selection(self) -> dict:
        """The filters as :func:`publications_of_researcher_matching` takes them."""
        return {"topic": self.topic, "year": self.year, "text": self.text}

    @property
    def key(self) -> tuple:
        """What the list depends on besides the data and its owner: plain values."""
        return (self.topic.pk if self.topic else None, self.year, self.text)

    def count_from(self, years: dict[int, int]) -> Callable[[], int] | None:
        """How many publications the list holds, from the owner's count per year when the
        filters choose whole years (none, or a year alone); None when only a count tells."""
        if self.topic or self.text:
            return None
        if self.year:
            return lambda: years.get(self.year, 0)
        return lambda: sum(years.values())

    @property
    def params(self) -> dict[str, str]:
        """The filters in use as query parameters, for links that change one of them: the
        values that could not be used are left out of every link."""
        params = {"topic": self.topic.slug if self.topic else "", "year": self.year or ""}
        params["q"] = self.text
        return {name: str(value) for name, value in params.items() if value}


def profile_filters(params: QueryDict, topics: Callable[[], list[ResearchTopic]]) -> ProfileFilters:
    """The filters ``params`` chose, among the owner's ``topics()`` (read when a topic is
    asked for)."""
    topic, topic_message = _chosen_topic(params.get("topic", ""), topics)
    year, year_message = _chosen_year(params.get("year", ""))
    text, text_message = _search_text(params.get("q", ""))
    messages = tuple(message for message in (topic_message, year_message, text_message) if message)
    return ProfileFilters(topic=topic, year=year, text=text, messages=messages)


def _chosen_topic(
    requested: str, topics: Callable[[], list[ResearchTopic]]
) -> tuple[ResearchTopic | None, str]:
    if not requested:
        return None, ""
    chosen = next((topic for topic in topics() if requested in topic.slugs), None)
    if chosen is not None:
        return chosen, ""
    message = _("“%(topic)s” is not one of this researcher's topics: all publications are shown.")
    return None, message % {"topic": printable(requested)}


def _chosen_year(requested: str) -> tuple[int | None, str]:
    value = requested.strip()
    if not value:
        return None, ""
    if re.fullmatch(r"[0-9]{4}", value) and YEAR_MIN <= int(value) <= YEAR_MAX:
        return int(value), ""
    message = _("“%(year)s” is not a year: the publications of every year are shown.")
    return None, message % {"year": printable(value)}


def _search_text(requested: str) -> tuple[str, str]:
    text = " ".join(requested.split())
    if not text:
        return "", ""
    if len(text) > SEARCH_MAX_LENGTH:
        message = _("The search is longer than %(limit)s characters: it was left out.")
        return "", message % {"limit": SEARCH_MAX_LENGTH}
    if not text.isprintable():
        return "", _("The search holds characters that cannot be searched: it was left out.")
    return text, ""


def _profile_address(address: str, params: dict[str, str]) -> str:
    """The profile at ``address`` with these filters, at its publications."""
    query = f"?{urlencode(params)}" if params else ""
    return f"{address}{query}#publications"


@dataclass(frozen=True)
class TopicChip:
    """One of the owner's topics as a filter of their publications (no address: none yet)."""

    name: str
    count: int
    url: str
    current: bool


def _topic_chips(
    researcher: Researcher, topics: list[ResearchTopic], filters: ProfileFilters
) -> list[TopicChip]:
    """The owner's topics, the most published first (then A to Z), each leading to the
    publications on it with the other filters kept; a topic without any publication leads
    nowhere."""
    counts = researcher_topic_counts(researcher=researcher)
    address = researcher.get_absolute_url()
    chips = [
        TopicChip(
            name=topic.name,
            count=counts.get(topic.pk, 0),
            url=_profile_address(address, {**filters.params, "topic": topic.slug})
            if counts.get(topic.pk)
            else "",
            current=topic == filters.topic,
        )
        for topic in topics
    ]
    return sorted(chips, key=lambda chip: -chip.count)


def profile_frame(
    researcher: Researcher, topics: Callable[[], list[ResearchTopic]], years: dict[int, int]
) -> dict:
    """The parts of the profile that are the same on each of its pages whatever their filters,
    each written once per language and change of the data: what the page's head says of the
    researcher (:func:`profile_head`), its header (who, where, the work in figures, the
    biography) and what surrounds the work (:func:`profile_surroundings`), which is only read
    when one of them is written."""
    surroundings = functools.cache(lambda: profile_surroundings(researcher, years))
    teaser, rest = biography_parts(researcher.bio)

    def header() -> str:
        coauthors = surroundings()
        context = {
            "researcher": researcher,
            "topics": topics(),
            "bio_teaser": teaser,
            "bio_rest": rest,
            "publication_total": sum(years.values()),
            "coauthors": coauthors["coauthors"],
            "coauthor_count": coauthors["coauthor_count"],
        }
        return render_to_string("profiles/includes/profile_header.html", context)

    def aside() -> str:
        parts = surroundings()
        if not (parts["year_chart"] or parts["coauthors"] or parts["supervision"]):
            return ""
        context = {"researcher": researcher, **parts}
        return render_to_string("profiles/includes/profile_aside.html", context)

    parts = (get_language(), researcher.pk)
    head = memo("profile_head", parts, lambda: profile_head(researcher, topics()))
    return {
        "researcher": researcher,
        "head": head,
        # Written by json_ld_script, which escapes what would end the script.
        "json_ld": mark_safe(head["json_ld"]),  # noqa: S308
        # Templates' output, escaped when it was rendered.
        "profile_header": mark_safe(memo("profile_header", parts, header)),  # noqa: S308
        "profile_aside": mark_safe(memo("profile_aside", parts, aside)),  # noqa: S308
    }


def profile_head(researcher: Researcher, topics: list[ResearchTopic]) -> dict[str, str]:
    """What the page says of the researcher besides its body, as plain text (the template
    escapes it): its title and descriptions, its portrait for link previews, the schema.org
    Person, the addresses of the feeds and downloads of their publications."""
    position = f" — {researcher.position}" if researcher.position else ""
    role = f" · {researcher.position}" if researcher.position else ""
    where = f", {researcher.organization}" if researcher.organization else ""
    slug = researcher.slug
    list_url = reverse("publications:publication_list")
    return {
        "title": researcher.full_name,
        "description": f"{researcher.full_name}{position}{where}",
        "og_description": f"{researcher.get_membership_display()}{role}{where}",
        "og_image": public_url(researcher.portrait.url) if researcher.portrait else "",
        "json_ld": str(json_ld_script(researcher_person(researcher, topics))),
        "feed_rss": reverse("researcher_feed_rss", kwargs={"slug": slug}),
        "feed_atom": reverse("researcher_feed_atom", kwargs={"slug": slug}),
        **{
            f"export_{fmt}": reverse(
                "profiles:researcher_export", kwargs={"slug": slug, "fmt": fmt}
            )
            for fmt in ("bib", "ris", "json")
        },
        "all_publications": f"{list_url}?{urlencode({'researcher': slug})}",
    }


def profile_surroundings(researcher: Researcher, years: dict[int, int]) -> dict:
    """What surrounds the work, beside the publications on wide screens: the publications per
    year (each bar leads to that year's), the most frequent coauthors, the supervision."""
    coauthors, coauthor_count = most_frequent_coauthors(
        researcher=researcher, limit=PROFILE_COAUTHORS_SHOWN
    )
    address = researcher.get_absolute_url()
    return {
        "year_chart": year_chart(
            years, link=lambda year: _profile_address(address, {"year": str(year)})
        ),
        "coauthors": coauthors,
        "coauthor_count": coauthor_count,
        "supervision": researcher_supervision(researcher=researcher),
    }


def biography_parts(text: str) -> tuple[str, str]:
    """A biography as what is read first and the rest, which a long one keeps behind a
    "read more", so that on a phone the publications stay near the top: its first paragraph
    (its first sentences when that paragraph is long) and the others. A short one is all
    teaser."""
    text = text.strip()
    if len(text) <= BIOGRAPHY_SHOWN_WHOLE:
        return text, ""
    paragraphs = re.split(r"\n\s*\n", text)
    if len(paragraphs[0]) > BIOGRAPHY_SHOWN_WHOLE // 2:
        paragraphs = [*_first_sentences(paragraphs[0]), *paragraphs[1:]]
    return paragraphs[0].strip(), "\n\n".join(paragraphs[1:]).strip()


def _first_sentences(text: str) -> list[str]:
    """``text`` cut after the sentence that reaches a third of a long biography's length:
    [start, rest], or [text] when no sentence ends after that."""
    for match in re.finditer(r"(?<=[.!?…])\s+", text):
        if match.start() >= BIOGRAPHY_SHOWN_WHOLE // 3:
            return [text[: match.start()], text[match.end() :]]
    return [text]


def profile_publications(
    researcher: Researcher,
    topics: Callable[[], list[ResearchTopic]],
    years: dict[int, int],
    filters: ProfileFilters,
    page: Page,
) -> dict:
    """The publications part: the filters, the key publications on the unfiltered first page,
    and the page's entries under their years."""
    first_unfiltered = not filters.in_use and page.number == 1
    address = researcher.get_absolute_url()
    topics_html, filters_html = memo(
        "profile_filters",
        (get_language(), researcher.pk, filters.key),
        lambda: _filter_parts(researcher, topics, years, filters),
    )
    return {
        "filters": filters,
        "filter_messages": list(filters.messages),
        # Templates' output, escaped when it was rendered.
        "profile_topics": mark_safe(topics_html),  # noqa: S308
        "profile_filters": mark_safe(filters_html),  # noqa: S308
        "clear_filters_url": _profile_address(address, {}),
        **_entries(researcher, page, with_key=first_unfiltered),
        "page_obj": page,
    }


def _filter_parts(
    researcher: Researcher,
    topics: Callable[[], list[ResearchTopic]],
    years: dict[int, int],
    filters: ProfileFilters,
) -> tuple[str, str]:
    """The topic chips, and the search with the filters in use, written once per language and
    set of filters (every page of the same filters shows them)."""
    chips = _topic_chips(researcher, topics(), filters)
    address = researcher.get_absolute_url()
    context = {
        "researcher": researcher,
        "filters": filters,
        "publication_total": sum(years.values()),
        "year_options": [
            FacetOption(value=str(year), label=str(year), count=count, selected=False)
            for year, count in sorted(years.items(), reverse=True)
        ],
        "active_filters": _active_filters(address, filters),
        "clear_filters_url": _profile_address(address, {}),
        "all_topics_url": _profile_address(
            address, {name: value for name, value in filters.params.items() if name != "topic"}
        ),
        "topic_chips": chips[:PROFILE_TOPICS_SHOWN],
        "more_topic_chips": chips[PROFILE_TOPICS_SHOWN:],
        "more_topics_open": any(chip.current for chip in chips[PROFILE_TOPICS_SHOWN:]),
    }
    return (
        render_to_string("profiles/includes/profile_topics.html", context),
        render_to_string("profiles/includes/profile_filters.html", context),
    )


@dataclass(frozen=True)
class ActiveFilter:
    """A filter in use, and the address of the same list without it."""

    label: str
    remove_url: str


def _active_filters(address: str, filters: ProfileFilters) -> list[ActiveFilter]:
    labels = {
        "topic": filters.topic.name if filters.topic else "",
        "year": str(filters.year or ""),
        "q": f"“{filters.text}”" if filters.text else "",
    }
    return [
        ActiveFilter(
            label=labels[name],
            remove_url=_profile_address(
                address, {key: value for key, value in filters.params.items() if key != name}
            ),
        )
        for name in filters.params
    ]


@dataclass
class YearGroup:
    """The entries of a page published in one year (no year: the entries could not be told
    apart, and are shown without headings)."""

    year: int | None
    entries: list[str] = field(default_factory=list)

    @property
    def html(self) -> SafeString:
        # Whole list items written by EntryWriter, which escapes every value.
        return mark_safe("\n".join(self.entries))  # noqa: S308


def _entries(researcher: Researcher, page: Page, *, with_key: bool) -> dict:
    """The key publications (``with_key``) and the page's entries under their years: the
    entries not kept are read together, in the queries of one list.

    A key publication may be listed again below on the same page: the ids of its first entry
    (and the references to them) get a prefix of their own, so that each id names one element
    of the page. The list's entries sit under their year's heading, a level below the key ones.
    """
    rows = page.paginator.object_list
    key_ids, key_rows = _key_publications(researcher) if with_key else ([], {})
    ids = list(page)
    rendered = RenderedItems(RowsReadHere(rows, key_rows), owner=researcher, together=key_ids)
    entries = rendered.entries(ids, EntryLayout(heading=4))
    key_entries = rendered.entries(key_ids, EntryLayout(heading=3, id_prefix="key-"))
    years = memo(
        "profile_page_years",
        (rows.key, page.number),
        lambda: {pk: row.year for pk, row in rows.in_bulk(ids).items()},
    )
    listed = [(years.get(pk), f"<li>{entries[pk]}</li>") for pk in ids if pk in entries]
    return {
        # Entries written by EntryWriter, which escapes every value.
        "key_entries": mark_safe(  # noqa: S308
            "\n".join(f"<li>{key_entries[pk]}</li>" for pk in key_ids if pk in key_entries)
        ),
        "year_groups": _by_year(listed),
    }


def _key_publications(researcher: Researcher) -> tuple[list[int], dict[int, Publication]]:
    """The owner's key publications, newest first, kept until the data changes; and their rows
    when they were read for it in this request (their entries are then rendered from them)."""
    read: dict[int, Publication] = {}

    def ids() -> list[int]:
        read.update((row.pk, row) for row in key_publications_of_researcher(researcher=researcher))
        return list(read)

    return memo("profile_key_publications", researcher.pk, ids), read


@dataclass(frozen=True)
class RowsReadHere:
    """A list's rows (:class:`core.caching.MemoRows`) and other rows this request read, as the
    ``publication_items`` tag reads them for the items memo() does not hold: by primary key."""

    rows: MemoRows
    read: dict[int, Publication]

    def in_bulk(self, ids: list[int]) -> dict[int, Publication]:
        found = {pk: self.read[pk] for pk in ids if pk in self.read}
        found.update(self.rows.in_bulk([pk for pk in ids if pk not in found]))
        return found


def _by_year(entries: list[tuple[int | None, str]]) -> list[YearGroup]:
    """Entries (year, entry), newest first, under each of their years."""
    groups: list[YearGroup] = []
    for year, entry in entries:
        if not groups or groups[-1].year != year:
            groups.append(YearGroup(year=year))
        groups[-1].entries.append(entry)
    return groups
