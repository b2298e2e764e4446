"""Publication list items, each written once per language, layout and change of the data, and
the citation and author list of one publication for its page."""

from django import template
from django.core.paginator import Page
from django.utils.safestring import SafeString, mark_safe

from profiles.models import Researcher
from publications.entries import EntryWriter, RenderedItems
from publications.items import Signer, further_links, publication_citation
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
