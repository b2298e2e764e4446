"""Publication list items, each written once per language, layout and change of the data, and
the citation and author list of one publication for its page."""

from django import template
from django.conf import settings
from django.core.paginator import Page
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core.caching import memo_many
from profiles.models import Researcher
from publications.entries import DEFAULT_LAYOUT, EntryLayout, EntryWriter
from publications.items import Signer, further_links, publication_citation
from publications.items import publication_items as items_build
from publications.items import signers as items_signers
from publications.models import Publication

register = template.Library()


@register.simple_tag
def publication_items(page: Page, owner: Researcher | None = None) -> SafeString:
    """The ``<li>`` of each publication of ``page``, a page of :class:`core.caching.MemoRows`
    (see :class:`RenderedItems`)."""
    ids = list(page)
    items = RenderedItems(page.paginator.object_list, owner=owner).entries(ids)
    # Each entry is written by EntryWriter, which escapes every value.
    return mark_safe("\n".join(f"<li>{items[pk]}</li>" for pk in ids if pk in items))  # noqa: S308


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


@register.simple_tag
def citation_block(publication: Publication) -> SafeString:
    """How to cite ``publication`` (its authors prefetched: no query): the citation, its BibTeX
    and the downloads, as each entry's Cite disclosure holds them."""
    citation = publication_citation(publication, authorships=publication.authorships.all())
    return mark_safe(EntryWriter().citation(citation))  # noqa: S308 (escaped by the writer)


@register.simple_tag
def author_items(named: list[Signer], editing: bool = False) -> SafeString:
    """One ``<li>`` per author (or editor, "(ed.)"): linked to their profile when visitors
    may see it, the profile's owner in bold, with their marks."""
    return mark_safe(EntryWriter().names(named, editing=editing))  # noqa: S308 (escaped)


@register.filter
def signers(authorships) -> list[Signer]:
    """A publication page's authorships as :func:`author_items` names them."""
    return items_signers(authorships)


@register.simple_tag
def author_marks_legend(named: list[Signer]) -> SafeString:
    """What the marks of ``named`` mean ("* Equal contribution", "✉ Corresponding author"),
    for the lists that use them only."""
    return mark_safe(EntryWriter().legend(named))  # noqa: S308 (escaped by the writer)


register.filter("further_links", further_links)
