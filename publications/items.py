"""What one publication shows in a list (a profile, the publication list, a topic page): plain
values read in a few queries and worded here, so that the item's template only places them."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from core.addresses import by_primary_key, by_slug
from core.text import collation_key
from profiles.models import ResearchTopic, topic_publications_url

from .citations import cited_by
from .exports import publication_bibtex
from .models import (
    Authorship,
    Publication,
    PublicationLink,
    PublicationNotice,
    PublicationVersion,
)
from .services.versions import describe

EXCERPT_LENGTH = 140
# An abstract only a little longer than the excerpt is shown whole rather than cut.
EXCERPT_SLACK = 40
# An author list longer than this shows its first names, and the others on demand (a
# collaboration's paper signed by hundreds would fill a phone's screen).
LONG_AUTHOR_LIST = 10
AUTHORS_BEFORE_CUT = 5
# A publication's citation files, by format, as the Cite disclosure names them.
DOWNLOADS = (("bib", "BibTeX"), ("ris", "RIS"), ("json", "CSL-JSON"))
EXPORT_URL_NAME = "publications:publication_export"


@dataclass(frozen=True)
class Link:
    """A name and where it leads; no address when it leads nowhere (a non-member author)."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class Signer:
    """An author or an editor as a list names them: linked to their profile when visitors may
    see it, unless the list is on that very profile (``owner``), with their marks."""

    text: str
    url: str = ""
    owner: bool = False
    equal_contribution: bool = False
    corresponding: bool = False


@dataclass(frozen=True)
class Citation:
    """A publication as a reader cites it: one line to read (the names ending in their full
    stop, the title, then where it appeared and which part of it) and its BibTeX to copy."""

    pk: int
    names: str
    title: str
    title_stop: str
    language: str
    source: str
    link: str
    bibtex: str
    # The per-publication downloads: BibTeX, RIS, CSL-JSON.
    downloads: tuple[Link, ...] = ()


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
    authors: list[Signer] = field(default_factory=list)
    editors: list[Signer] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    topics: list[Link] = field(default_factory=list)
    # arXiv, PDF, DOI, code, web page, then the slides, video... an editor added.
    links: list[Link] = field(default_factory=list)
    citation: Citation | None = None

    @property
    def first_authors(self) -> list[Signer]:
        """The authors shown at once: all of them, or the first few of a long list."""
        if len(self.authors) > LONG_AUTHOR_LIST:
            return self.authors[:AUTHORS_BEFORE_CUT]
        return self.authors

    @property
    def other_authors(self) -> list[Signer]:
        """The authors of a long list shown on demand, in order (the owner among them)."""
        if len(self.authors) > LONG_AUTHOR_LIST:
            return self.authors[AUTHORS_BEFORE_CUT:]
        return []

    @property
    def owner_after_cut(self) -> Signer | None:
        """The profile's owner when a long list names them after the cut: they are shown
        beside "and N others" all the same."""
        return next((signer for signer in self.other_authors if signer.owner), None)

    @property
    def others_count(self) -> int:
        """How many authors "and N others" stands for."""
        return len(self.other_authors) - (self.owner_after_cut is not None)


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
    publications: Iterable[Publication], *, owner_id: int | None = None
) -> list[PublicationItem]:
    """The items of ``publications`` (rows already read), in their order, with their authors,
    retractions and topics read in two queries, their other versions and further links in one
    more each when any of them has some, and the citation of each made from its row and its
    authors. On a profile (``owner_id``, the researcher's) the owner is marked in the author
    lists rather than linked."""
    rows = {publication.pk: publication for publication in publications}
    kinds = {value: str(label) for value, label in Publication.Kind.choices}
    addresses = _Addresses.reversed()
    items = {pk: _item(publication, kinds, addresses) for pk, publication in rows.items()}
    signed = _add_authors(items, owner_id, addresses)
    if signed.with_versions:
        versions = PublicationVersion.objects.filter(publication_id__in=signed.with_versions)
        for version in versions:
            items[version.publication_id].versions.append(describe(version))
    if signed.with_links:
        _add_links(items, signed.with_links)
    _add_topics(items)
    for pk, item in items.items():
        item.citation = publication_citation(
            rows[pk], authorships=signed.authorships[pk], addresses=addresses
        )
    return list(items.values())


@dataclass(frozen=True)
class _Addresses:
    """A publication's page and its citation files, for any publication, and a member's
    profile: each view is reversed once per list."""

    page: Callable[[int], str]
    downloads: tuple[tuple[str, Callable[[int], str]], ...]
    profile: Callable[[str], str]

    @classmethod
    def reversed(cls) -> "_Addresses":
        return cls(
            page=by_primary_key("publications:publication_detail"),
            profile=by_slug("profiles:researcher_detail"),
            downloads=tuple(
                (name, by_primary_key(EXPORT_URL_NAME, fmt=fmt)) for fmt, name in DOWNLOADS
            ),
        )


def _item(
    publication: Publication, kinds: dict[str, str], addresses: _Addresses
) -> PublicationItem:
    return PublicationItem(
        pk=publication.pk,
        url=addresses.page(publication.pk),
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
        links=identifier_links(publication),
    )


def _cited_by(publication: Publication) -> str:
    if not settings.SHOW_CITATION_COUNTS or publication.cited_by_count is None:
        return ""
    return cited_by(publication.cited_by_count)


@dataclass
class _Signed:
    """What the authors' query read besides the items' author lists: each publication's
    authorships, for its BibTeX, and which publications have other versions or further links
    (most have neither, and their queries are then left out)."""

    authorships: dict[int, list["_Signature"]]
    with_versions: set[int] = field(default_factory=set)
    with_links: set[int] = field(default_factory=set)


def _add_authors(
    items: dict[int, PublicationItem], owner_id: int | None, addresses: "_Addresses"
) -> _Signed:
    """Authors and editors in order, linked to their profile when visitors may see it, and
    whether each publication is retracted, has other versions or further links (read with
    them: a publication without authors still has its row)."""
    retraction = PublicationNotice.objects.filter(
        publication=OuterRef("pk"), kind=PublicationNotice.Kind.RETRACTION
    )
    rows = (
        Publication.objects.filter(pk__in=items)
        .annotate(
            retracted=Exists(retraction),
            has_versions=Exists(PublicationVersion.objects.filter(publication=OuterRef("pk"))),
            has_links=Exists(PublicationLink.objects.filter(publication=OuterRef("pk"))),
        )
        .order_by("pk", "authorships__role", "authorships__position")
        .values_list("pk", "retracted", "has_versions", "has_links", *SIGNER_COLUMNS)
    )
    signed = _Signed(authorships={pk: [] for pk in items})
    for publication_id, retracted, has_versions, has_links, *columns in rows:
        item = items[publication_id]
        item.retracted = retracted
        if has_versions:
            signed.with_versions.add(publication_id)
        if has_links:
            signed.with_links.add(publication_id)
        if columns[0] is None:  # no authorship
            continue
        authorship = _authorship(columns)
        signed.authorships[publication_id].append(authorship)
        researcher_id, slug, published = columns[-3:]
        owner = owner_id is not None and researcher_id == owner_id
        signer = Signer(
            authorship.author.display_name,
            "" if owner or not (slug and published) else addresses.profile(slug),
            owner=owner,
            equal_contribution=authorship.equal_contribution,
            corresponding=authorship.corresponding,
        )
        if authorship.role == Authorship.Role.EDITOR:
            item.editors.append(signer)
        else:
            item.authors.append(signer)
    return signed


# What a list reads of each authorship: enough to name the person, mark them, and write the
# BibTeX of the publication.
SIGNER_COLUMNS = (
    "authorships__role",
    "authorships__equal_contribution",
    "authorships__corresponding",
    "authorships__author__display_name",
    "authorships__author__given_name",
    "authorships__author__family_name",
    "authorships__author__suffix",
    "authorships__author__is_organization",
    "authorships__author__researcher_id",
    "authorships__author__researcher__slug",
    "authorships__author__researcher__is_published",
)


def _authorship(columns: list) -> "_Signature":
    """What the BibTeX needs of an authorship, from the SIGNER_COLUMNS of one row: plain
    values rather than models, which a long author list would build by the hundred."""
    role, equal, corresponding, name, given, family, suffix, organization = columns[:8]
    return _Signature(role, equal, corresponding, _Name(name, given, family, suffix, organization))


@dataclass(frozen=True, slots=True)
class _Name:
    """The parts of an :class:`Author`'s name that a citation reads."""

    display_name: str
    given_name: str
    family_name: str
    suffix: str
    is_organization: bool


@dataclass(frozen=True, slots=True)
class _Signature:
    """The parts of an :class:`Authorship` that a citation reads."""

    role: str
    equal_contribution: bool
    corresponding: bool
    author: _Name


def signers(authorships: Iterable[Authorship]) -> list[Signer]:
    """``authorships`` (their authors and researchers read with them) as a publication's page
    names them: each linked to their profile when visitors may see it, with their marks."""
    named = []
    for authorship in authorships:
        profile = authorship.author.public_profile
        named.append(
            Signer(
                authorship.author.display_name,
                profile.get_absolute_url() if profile is not None else "",
                equal_contribution=authorship.equal_contribution,
                corresponding=authorship.corresponding,
            )
        )
    return named


def identifier_links(publication: Publication) -> list[Link]:
    """Where the work can be read, from its own fields: arXiv, the PDF, the DOI, the code, its
    web page (unless it is the arXiv page)."""
    links = []
    if publication.arxiv_id:
        links.append(Link("arXiv", publication.arxiv_url))
    if publication.pdf_url:
        links.append(Link("PDF", publication.pdf_url))
    if publication.doi:
        links.append(Link("DOI", publication.doi_url))
    if publication.code_url:
        links.append(Link(_("Code"), publication.code_url))
    if publication.url and publication.url != publication.arxiv_url:
        links.append(Link(_("Web page"), publication.url))
    return links


def further_links(links: Iterable[PublicationLink]) -> list[Link]:
    """An editor's further links (slides, video, poster, project page, data), in that order."""
    order = {kind: index for index, kind in enumerate(PublicationLink.Kind.values)}
    labels = dict(PublicationLink.Kind.choices)
    ordered = sorted(links, key=lambda link: (order.get(link.kind, len(order)), link.pk or 0))
    return [Link(str(labels.get(link.kind, link.kind)), link.url) for link in ordered]


def _add_links(items: dict[int, PublicationItem], linked: Iterable[int]) -> None:
    """The further links of the ``linked`` items, in one query."""
    found: dict[int, list[PublicationLink]] = {}
    # Ordered here, not by the model's ordering, which would join the publications.
    links = PublicationLink.objects.filter(publication_id__in=linked).order_by()
    for link in links.only("pk", "publication_id", "kind", "url"):
        found.setdefault(link.publication_id, []).append(link)
    for pk, links in found.items():
        items[pk].links += further_links(links)


def publication_citation(
    publication: Publication,
    *,
    authorships: Iterable[Authorship],
    addresses: _Addresses | None = None,
) -> Citation:
    """How to cite ``publication``: its names, title, venue and year (the words its list item
    and its page show) and its BibTeX entry, from authorships (their authors in them) the
    caller read (``addresses``: a list's, reversed once for all its items). The entry to
    copy is the work's own, as the BibTeX download writes it but without the abstract (on the
    page already) and the entries of its other versions, which only biblatex reads: the
    download has them."""
    authorships = list(authorships)
    addresses = addresses or _Addresses.reversed()
    title = publication.title.rstrip()
    source = venue_and_year(publication)
    if details := citation_details(publication):
        source = f"{source}, {details}"
    return Citation(
        pk=publication.pk,
        names=_cited_names(publication, authorships),
        title=title,
        title_stop="" if title.endswith((".", "?", "!")) else ".",
        language=publication.language,
        source=f"{source}.",
        link=publication.doi_url or publication.arxiv_url,
        bibtex=publication_bibtex(
            publication, authorships=authorships, versions=(), abstract=False
        ).rstrip(),
        downloads=tuple(
            Link(name, address(publication.pk)) for name, address in addresses.downloads
        ),
    )


def _cited_names(publication: Publication, authorships: list[Authorship]) -> str:
    """ "A, B, C." or "A, B, et al."; an edited book's editors, "(ed.)"; "" for nobody."""
    authors = [a.author.display_name for a in authorships if a.role == Authorship.Role.AUTHOR]
    if authors:
        names = ", ".join(authors)
        return f"{names}, {_('et al.')}" if publication.authors_truncated else f"{names}."
    editors = [a.author.display_name for a in authorships if a.role == Authorship.Role.EDITOR]
    if not editors:
        return ""
    label = _("(ed.)") if len(editors) == 1 else _("(eds.)")
    return f"{', '.join(editors)} {label}."


def _add_topics(items: dict[int, PublicationItem]) -> None:
    """Each item's topics in the reader's alphabetical order, each a link to its publications."""
    topics = (
        ResearchTopic.objects.filter(publications__in=items)
        .annotate(publication_id=F("publications"))
        .order_by()
        .labels("publication_id")
    )
    list_url = reverse("publications:publication_list")
    links: dict[int, Link] = {}
    for pk, slug, name, publication_id in topics:
        if pk not in links:
            links[pk] = Link(name, topic_publications_url(slug, list_url))
        items[publication_id].topics.append(links[pk])
    order = {link: collation_key(link.text) for link in links.values()}
    for item in items.values():
        item.topics.sort(key=order.__getitem__)
