"""What one publication shows in a list (a profile, the publication list, a topic page): plain
values read in a few queries and worded here, so that the item's template only places them."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from core.text import collation_key
from profiles.models import ResearchTopic

from .citations import cited_by
from .models import Authorship, Publication, PublicationNotice, PublicationVersion
from .services.versions import describe

EXCERPT_LENGTH = 140
# An abstract only a little longer than the excerpt is shown whole rather than cut.
EXCERPT_SLACK = 40


@dataclass(frozen=True)
class Link:
    """A name and where it leads; no address when it leads nowhere (a non-member author)."""

    text: str
    url: str = ""


@dataclass
class PublicationItem:
    pk: int
    url: str
    title: str
    language: str
    kind: str
    where: str
    details: str
    abstract: str
    excerpt: str
    authors_truncated: bool
    editors_truncated: bool
    # "Cited by 1,234" when settings.SHOW_CITATION_COUNTS is on and a count was read.
    cited_by: str = ""
    retracted: bool = False
    authors: list[Link] = field(default_factory=list)
    editors: list[Link] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    topics: list[Link] = field(default_factory=list)


def abstract_excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """The start of ``text`` cut at a word boundary near ``length`` characters, or "" if short.

    An empty result means the text is short enough to be shown whole.
    """
    text = " ".join((text or "").split())
    if len(text) <= length + EXCERPT_SLACK:
        return ""
    cut = text.rfind(" ", 0, length + 1)
    if cut <= 0:
        cut = length
    return text[:cut].rstrip(" ,;:.-–—(") + "…"


def venue_and_year(publication: Publication | PublicationVersion) -> str:
    """The year, then where it appeared: "2024 · ICLR 2025", but "NeurIPS 2024" rather than
    "2024 · NeurIPS 2024" when the venue already names the year. A book names its publisher,
    a thesis or a report its institution."""
    year = str(publication.year)
    where = publication.venue or publication.institution or publication.publisher
    if not where:
        return year
    if re.search(rf"\b{year}\b", where):
        return where
    return f"{year} · {where}"


def citation_details(publication: Publication | PublicationVersion) -> str:
    """Which part of the venue: "vol. 12, no. 3, pp. 45–67" (in the reader's language)."""
    parts = []
    if publication.volume:
        parts.append(_("vol. %(volume)s") % {"volume": publication.volume})
    if publication.issue:
        parts.append(_("no. %(issue)s") % {"issue": publication.issue})
    if publication.number and not publication.issue:
        parts.append(_("no. %(number)s") % {"number": publication.number})
    if publication.pages:
        label = _("pp. %(pages)s") if "–" in publication.pages else _("p. %(pages)s")
        parts.append(label % {"pages": publication.pages})
    return ", ".join(parts)


def publication_items(
    publications: Iterable[Publication], *, skip_researcher_id: int | None = None
) -> list[PublicationItem]:
    """The items of ``publications`` (rows already read), in their order, with their authors,
    other versions, topics and retractions read in three queries. On a profile
    (``skip_researcher_id``) the owner is left out of the coauthors."""
    kinds = {value: str(label) for value, label in Publication.Kind.choices}
    items = {publication.pk: _item(publication, kinds) for publication in publications}
    _add_authors(items, skip_researcher_id)
    for version in PublicationVersion.objects.filter(publication_id__in=items):
        items[version.publication_id].versions.append(describe(version))
    _add_topics(items)
    return list(items.values())


def _item(publication: Publication, kinds: dict[str, str]) -> PublicationItem:
    return PublicationItem(
        pk=publication.pk,
        url=reverse("publications:publication_detail", kwargs={"pk": publication.pk}),
        title=publication.title,
        language=publication.language,
        kind=kinds.get(publication.kind, publication.kind),
        where=venue_and_year(publication),
        details=citation_details(publication),
        abstract=publication.abstract,
        excerpt=abstract_excerpt(publication.abstract),
        authors_truncated=publication.authors_truncated,
        editors_truncated=publication.editors_truncated,
        cited_by=_cited_by(publication),
    )


def _cited_by(publication: Publication) -> str:
    if not settings.SHOW_CITATION_COUNTS or publication.cited_by_count is None:
        return ""
    return cited_by(publication.cited_by_count)


def _add_authors(items: dict[int, PublicationItem], skip_researcher_id: int | None) -> None:
    """Authors and editors in order, linked to their profile when visitors may see it, and
    whether each publication is retracted (read with them: a publication without authors
    still has its row)."""
    retraction = PublicationNotice.objects.filter(
        publication=OuterRef("pk"), kind=PublicationNotice.Kind.RETRACTION
    )
    rows = (
        Publication.objects.filter(pk__in=items)
        .annotate(retracted=Exists(retraction))
        .order_by("pk", "authorships__role", "authorships__position")
        .values_list(
            "pk",
            "retracted",
            "authorships__role",
            "authorships__author__display_name",
            "authorships__author__researcher_id",
            "authorships__author__researcher__slug",
            "authorships__author__researcher__is_published",
        )
    )
    profile_urls: dict[str, str] = {}
    for publication_id, retracted, role, name, researcher_id, slug, published in rows:
        item = items[publication_id]
        item.retracted = retracted
        if role is None:
            continue
        if role == Authorship.Role.EDITOR:
            signers = item.editors
        elif researcher_id is None or researcher_id != skip_researcher_id:
            signers = item.authors
        else:
            continue
        signers.append(Link(name, _profile_url(slug, published, profile_urls)))


def _profile_url(slug: str | None, published: bool | None, known: dict[str, str]) -> str:
    if not (slug and published):
        return ""
    if slug not in known:
        known[slug] = reverse("profiles:researcher_detail", kwargs={"slug": slug})
    return known[slug]


def _add_topics(items: dict[int, PublicationItem]) -> None:
    """Each item's topics in the reader's alphabetical order, each a link to its publications."""
    topics = ResearchTopic.objects.filter(publications__in=items).annotate(
        publication_id=F("publications")
    )
    list_url = reverse("publications:publication_list")
    links: dict[int, Link] = {}
    for topic in topics:
        if topic.pk not in links:
            links[topic.pk] = Link(topic.name, topic.get_publications_url(list_url))
        items[topic.publication_id].topics.append(links[topic.pk])
    order = {link: collation_key(link.text) for link in links.values()}
    for item in items.values():
        item.topics.sort(key=order.__getitem__)
