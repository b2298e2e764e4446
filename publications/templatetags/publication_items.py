"""Publication list items, each rendered once per language and change of the data, and the
citation of one publication for its page."""

from django import template
from django.conf import settings
from django.core.paginator import Page
from django.template.loader import get_template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.caching import memo_many
from profiles.models import Researcher
from publications.items import Citation, Signer, further_links, publication_citation
from publications.items import publication_items as items_build
from publications.items import signers as items_signers
from publications.models import Publication

register = template.Library()


@register.simple_tag
def publication_items(page: Page, owner: Researcher | None = None) -> SafeString:
    """The ``<li>`` of each publication of ``page``, a page of :class:`core.caching.MemoRows`
    (see :func:`rendered_items`)."""
    ids = list(page)
    items = rendered_items(page.paginator.object_list, ids, owner=owner)
    # Each item is an escaped template's output.
    return mark_safe("\n".join(f"<li>{items[pk]}</li>" for pk in ids if pk in items))  # noqa: S308


def rendered_items(rows, ids: list[int], *, owner: Researcher | None = None) -> dict[int, str]:
    """The rendered item of each publication of ``ids`` still there, by primary key, each
    rendered once per language and change of the data; ``rows`` has ``in_bulk(ids)`` (a
    :class:`core.caching.MemoRows`), which reads the rows of the items not kept.

    On a profile (``owner``), the owner is marked in the author lists: the items are kept apart
    for each owner, and for each choice of showing citation counts. The publications whose
    item memo() does not hold have their rows (unless already read), authors, versions, links
    and topics read in at most five queries.
    """
    owner_id = owner.pk if owner is not None else None

    def render(missing: list[int]) -> dict[int, str]:
        publications = rows.in_bulk(missing)
        template = get_template("includes/publication_item.html")
        return {
            item.pk: template.render({"item": item})
            for item in items_build(publications.values(), owner_id=owner_id)
        }

    parts = (get_language(), owner_id, settings.SHOW_CITATION_COUNTS)
    return memo_many("publication_item", parts, ids, render)


@register.simple_tag
def citation_of(publication: Publication) -> Citation:
    """How to cite ``publication``, read with its authors (prefetched: no query), for
    ``includes/publication_cite.html``."""
    return publication_citation(publication, authorships=publication.authorships.all())


@register.simple_tag
def author_items(named: list[Signer], editing: bool = False) -> SafeString:
    """One ``<li>`` per author (or editor, "(ed.)"): linked to their profile when visitors
    may see it, the profile's owner in bold, with their marks. Written in one pass: a
    collaboration's list holds hundreds of names."""
    words = _SignerWords()
    suffix = format_html(" {}", _("(ed.)")) if editing else ""
    return format_html_join("", "<li>{}{}</li>", ((words.name(s), suffix) for s in named))


@register.simple_tag
def author_name(signer: Signer) -> SafeString:
    """One name as :func:`author_items` writes it."""
    return _SignerWords().name(signer)


class _SignerWords:
    """The hidden words beside a name, translated once for a whole list."""

    def __init__(self) -> None:
        self.owner = format_html('<span class="visually-hidden"> {}</span>', _("(this profile)"))
        self.marks = (
            _mark("*", _("equal contribution")),
            _mark("✉", _("corresponding author")),
        )

    def name(self, signer: Signer) -> SafeString:
        if signer.owner:
            name = format_html(
                '<strong class="author-list__owner">{}</strong>{}', signer.text, self.owner
            )
        elif signer.url:
            name = format_html('<a href="{}">{}</a>', signer.url, signer.text)
        else:
            name = conditional_escape(signer.text)
        equal, corresponding = self.marks
        nothing = SafeString("")
        return (
            name
            + (equal if signer.equal_contribution else nothing)
            + (corresponding if signer.corresponding else nothing)
        )


def _mark(symbol: str, meaning: str) -> SafeString:
    """A mark seen beside a name, and what it means for those who listen to the page."""
    return format_html(
        '<span class="author-mark" aria-hidden="true">{}</span>'
        '<span class="visually-hidden"> ({})</span>',
        symbol,
        meaning,
    )


@register.filter
def signers(authorships) -> list[Signer]:
    """A publication page's authorships as :func:`author_items` names them."""
    return items_signers(authorships)


@register.simple_tag
def author_marks_legend(named: list[Signer]) -> str:
    """What the marks of ``named`` mean ("* Equal contribution", "✉ Corresponding author"),
    for the lists that use them only."""
    meanings = []
    if any(signer.equal_contribution for signer in named):
        meanings.append(("*", _("Equal contribution")))
    if any(signer.corresponding for signer in named):
        meanings.append(("✉", _("Corresponding author")))
    if not meanings:
        return ""
    return format_html(
        '<p class="author-marks">{}</p>',
        format_html_join(" ", '<span class="author-marks__item">{} {}</span>', meanings),
    )


register.filter("further_links", further_links)
