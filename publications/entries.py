"""A publication's entry in a list (a profile, the publication list, a topic page), written out
from its :class:`~publications.items.PublicationItem`.

Written in Python rather than by a template: a page holds twenty-five entries, each with an
author list of up to hundreds of names, its links and its Cite disclosure, and the template
engine resolved some two hundred variables per entry. This writer places the same plain values
in a fifth of the time, which is most of what a page costs right after an edit, when nothing is
kept. Every value is escaped here (:func:`html.escape`); the words are translated once per list.
:class:`RenderedItems` keeps each entry written until the data changes.
"""

from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.utils.translation import get_language, gettext, ngettext, pgettext

from core.caching import memo_many
from profiles.models import Researcher

from .items import Citation, Link, PublicationItem, Signer
from .items import publication_items as items_build


@dataclass(frozen=True)
class EntryLayout:
    """Where the entries sit on their page: the level of their title's heading (3 under a
    section's h2, 4 under a year's h3), and a prefix for their ids when the same publication
    may be listed twice on one page (key publications, then the list)."""

    heading: int = 3
    id_prefix: str = ""


DEFAULT_LAYOUT = EntryLayout()


class EntryWriter:
    """Writes entries in the language active when it was made."""

    def __init__(self, layout: EntryLayout = DEFAULT_LAYOUT) -> None:
        self.layout = layout
        self.words = _Words()

    def entry(self, item: PublicationItem) -> str:
        """The ``<article>`` of one publication."""
        title_id = f"{self.layout.id_prefix}publication-{item.pk}"
        level = self.layout.heading
        language = escape(item.language)
        parts = [
            f'<article class="publication" aria-labelledby="{title_id}">\n',
            f'  <h{level} class="publication__title" id="{title_id}" lang="{language}">'
            f'<a href="{escape(item.url)}">{escape(item.title)}</a></h{level}>\n',
            f'  <p class="publication__meta">{self._meta(item)}</p>\n',
            self._authors(item),
            self._editors(item),
            self._versions(item),
            self._abstract(item, title_id),
            self._actions(item, title_id),
            self._topics(item),
            "</article>",
        ]
        return "".join(parts)

    def _meta(self, item: PublicationItem) -> str:
        words = self.words
        meta = f"{escape(item.kind)} · {escape(item.where)}"
        if item.retracted:
            meta = f'<strong class="badge badge--retracted">{words.retracted}</strong> {meta}'
        if item.details:
            meta += f", {escape(item.details)}"
        if item.cited_by:
            meta += f" · {escape(item.cited_by)}"
        return meta

    def _authors(self, item: PublicationItem) -> str:
        if not (item.authors or item.authors_truncated):
            return ""
        words = self.words
        others = item.other_authors
        et_al = words.et_al_item if item.authors_truncated else ""
        shown = self.names(item.first_authors) + ("" if others else et_al)
        html = f'<ul class="author-list">{shown}</ul>'
        if others:
            owner = ""
            if item.owner_after_cut is not None:
                name = self.name(item.owner_after_cut)
                owner = f'<span class="more-authors__owner">… {name} … </span>'
            html += (
                f'\n  <details class="more-authors"><summary>{owner}'
                '<span class="more-authors__toggle more-authors__toggle--more">'
                f"{words.and_others(item.others_count)}</span>"
                '<span class="more-authors__toggle more-authors__toggle--less">'
                f"{words.fewer_authors}</span></summary>\n"
                f'    <ul class="author-list">{self.names(others)}{et_al}</ul>\n  </details>'
            )
        hint = f'<span class="visually-hidden">{words.authors} </span>'
        legend = self.legend(item.authors)
        return f'  <div class="publication__authors">{hint}{html}{legend}</div>\n'

    def _editors(self, item: PublicationItem) -> str:
        if not item.editors:
            return ""
        words = self.words
        et_al = words.et_al_item if item.editors_truncated else ""
        return (
            f'  <div class="publication__authors"><span class="visually-hidden">{words.editors} '
            f'</span><ul class="author-list">{self.names(item.editors, editing=True)}{et_al}'
            "</ul></div>\n"
        )

    def _versions(self, item: PublicationItem) -> str:
        if not item.versions:
            return ""
        versions = "; ".join(escape(version) for version in item.versions)
        return f'  <p class="publication__versions">{self.words.also} {versions}</p>\n'

    def _abstract(self, item: PublicationItem, title_id: str) -> str:
        if not item.abstract:
            return ""
        words = self.words
        language = escape(item.language)
        whole = f'<p lang="{language}">{escape(item.abstract)}</p>'
        if not item.excerpt:
            return f'  <div class="abstract">\n  {whole}\n  </div>\n'
        return (
            '  <div class="abstract">\n  <details class="abstract__details">\n'
            f'    <summary aria-describedby="{title_id}"><span class="abstract__excerpt" '
            f'lang="{language}">{escape(item.excerpt)}</span> '
            f'<span class="abstract__toggle abstract__toggle--more">{words.see_more}</span>'
            f'<span class="abstract__toggle abstract__toggle--less">{words.see_less}</span>'
            f"</summary>\n    {whole}\n  </details>\n  </div>\n"
        )

    def _actions(self, item: PublicationItem, title_id: str) -> str:
        links = ""
        if item.links:
            listed = "".join(_link_item(link) for link in item.links)
            links = (
                f'<div class="publication__links"><span class="visually-hidden">'
                f'{self.words.links} </span><ul class="link-list">{listed}</ul></div>'
            )
        cite = self.citation(item.citation) if item.citation is not None else ""
        return (
            f'  <div class="publication__actions">{links}\n'
            '  <details class="cite-disclosure">\n'
            f'    <summary aria-describedby="{title_id}">{self.words.cite}</summary>\n'
            f"    {cite}\n  </details></div>\n"
        )

    def _topics(self, item: PublicationItem) -> str:
        if not item.topics:
            return ""
        listed = "".join(
            f'<li><a class="topic" href="{escape(topic.url)}">{escape(topic.text)}</a></li>'
            for topic in item.topics
        )
        return (
            f'  <div class="publication__topics"><span class="visually-hidden">'
            f'{self.words.topics} </span><ul class="topic-list topic-list--small">{listed}'
            "</ul></div>\n"
        )

    def citation(self, citation: Citation) -> str:
        """The Cite disclosure's content: the citation to read, its BibTeX, the downloads."""
        words = self.words
        names = f"{escape(citation.names)} " if citation.names else ""
        link = f" {escape(citation.link)}" if citation.link else ""
        downloads = " · ".join(
            f'<a href="{escape(download.url)}" download>{escape(download.text)}</a>'
            for download in citation.downloads
        )
        return (
            f'<div class="cite" data-copy-label="{words.copy_label}" '
            f'data-copied-message="{words.copied}" '
            f'data-copy-failed-message="{words.copy_failed}">\n'
            f'  <p class="cite__text">{names}<cite lang="{escape(citation.language)}">'
            f"{escape(citation.title)}</cite>{escape(citation.title_stop)} "
            f"{escape(citation.source)}{link}</p>\n"
            '  <p class="cite__label">BibTeX</p>\n'
            f'  <pre class="cite__bibtex" translate="no">{escape(citation.bibtex)}</pre>\n'
            f'  <p class="cite__downloads">{words.download} {downloads}</p>\n'
            "</div>"
        )

    def names(self, named: list[Signer], *, editing: bool = False) -> str:
        """One ``<li>`` per author (or editor, "(ed.)"): linked to their profile when visitors
        may see it, the profile's owner in bold, with their marks."""
        suffix = f" {self.words.editor}" if editing else ""
        return "".join(f"<li>{self.name(signer)}{suffix}</li>" for signer in named)

    def name(self, signer: Signer) -> str:
        """One name as :meth:`names` writes it."""
        words = self.words
        text = escape(signer.text)
        if signer.owner:
            name = f'<strong class="author-list__owner">{text}</strong>{words.owner}'
        elif signer.url:
            name = f'<a href="{escape(signer.url)}">{text}</a>'
        else:
            name = text
        if signer.equal_contribution:
            name += words.equal_mark
        if signer.corresponding:
            name += words.corresponding_mark
        return name

    def legend(self, named: list[Signer]) -> str:
        """What the marks of ``named`` mean, for the lists that use them only."""
        meanings = []
        if any(signer.equal_contribution for signer in named):
            meanings.append(("*", self.words.equal_contribution))
        if any(signer.corresponding for signer in named):
            meanings.append(("✉", self.words.corresponding))
        if not meanings:
            return ""
        listed = " ".join(
            f'<span class="author-marks__item">{symbol} {meaning}</span>'
            for symbol, meaning in meanings
        )
        return f'<p class="author-marks">{listed}</p>'


def _link_item(link: Link) -> str:
    return f'<li><a href="{escape(link.url)}">{escape(link.text)}</a></li>'


def _mark(symbol: str, meaning: str) -> str:
    """A mark seen beside a name, and what it means for those who listen to the page."""
    return (
        f'<span class="author-mark" aria-hidden="true">{symbol}</span>'
        f'<span class="visually-hidden"> ({escape(meaning)})</span>'
    )


class _Words:
    """The words of the entries, translated once for a list, escaped."""

    def __init__(self) -> None:
        self.retracted = escape(pgettext("a publication", "Retracted"))
        self.authors = escape(gettext("Authors:"))
        self.editors = escape(gettext("Editors:"))
        self.editor = escape(gettext("(ed.)"))
        self.et_al = escape(gettext("et al."))
        self.et_al_item = f'<li class="author-list__more">{self.et_al}</li>'
        self.fewer_authors = escape(gettext("fewer authors"))
        self.also = escape(gettext("Also:"))
        self.see_more = escape(gettext("see more"))
        self.see_less = escape(gettext("see less"))
        self.links = escape(gettext("Links:"))
        self.cite = escape(gettext("Cite"))
        self.topics = escape(gettext("Research topics:"))
        self.download = escape(gettext("Download:"))
        self.copy_label = escape(gettext("Copy BibTeX"))
        self.copied = escape(gettext("BibTeX copied to the clipboard."))
        self.copy_failed = escape(gettext("The BibTeX could not be copied: select it and copy it."))
        owner = escape(gettext("(this profile)"))
        self.owner = f'<span class="visually-hidden"> {owner}</span>'
        self.equal_contribution = escape(gettext("Equal contribution"))
        self.corresponding = escape(gettext("Corresponding author"))
        self.equal_mark = _mark("*", gettext("equal contribution"))
        self.corresponding_mark = _mark("✉", gettext("corresponding author"))

    @staticmethod
    def and_others(count: int) -> str:
        return escape(
            ngettext("and %(counter)s other", "and %(counter)s others", count) % {"counter": count}
        )


class RenderedItems:
    """The entries of a list's publications, each written once per language, layout and change
    of the data; ``rows`` has ``in_bulk(ids)`` (a :class:`core.caching.MemoRows`), which reads
    the rows of the entries not kept.

    On a profile (``owner``), the owner is marked in the author lists: the entries are kept
    apart for each owner, and for each choice of showing citation counts. The publications
    whose entry memo() does not hold have their rows (unless already read), authors, versions,
    links and topics read in at most five queries, for every layout of the page at once
    (``together``: the ids the page shows in its other layouts, read with the first missing).
    """

    def __init__(self, rows, *, owner: Researcher | None = None, together: tuple = ()) -> None:
        self.rows = rows
        self.owner_id = owner.pk if owner is not None else None
        self.together = list(together)
        self.built: dict = {}

    def entries(self, ids: list[int], layout: EntryLayout = DEFAULT_LAYOUT) -> dict[int, str]:
        """The entry of each publication of ``ids`` still there, by primary key."""
        parts = (get_language(), self.owner_id, settings.SHOW_CITATION_COUNTS, layout)

        def write(missing: list[int]) -> dict[int, str]:
            self._build([*missing, *self.together])
            writer = EntryWriter(layout)
            return {pk: writer.entry(self.built[pk]) for pk in missing if pk in self.built}

        return memo_many("publication_entry", parts, ids, write)

    def _build(self, ids: list[int]) -> None:
        unbuilt = [pk for pk in dict.fromkeys(ids) if pk not in self.built]
        if unbuilt:
            publications = self.rows.in_bulk(unbuilt)
            items = items_build(publications.values(), owner_id=self.owner_id)
            self.built.update((item.pk, item) for item in items)
