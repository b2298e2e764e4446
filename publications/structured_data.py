"""Metadata for search engines and reference managers: schema.org JSON-LD, Highwire tags."""

import json

from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from core.addresses import public_url
from profiles.models import Researcher

from .exports import CONTAINER_FIELDS, issued, page_range, publisher_name
from .models import Author, Publication

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> SafeString:
    """A schema.org JSON-LD block. It is data, never run: a strict CSP leaves it alone."""
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


def researcher_person(researcher: Researcher, topics) -> dict:
    """schema.org Person of a profile page."""
    same_as = [
        url
        for url in [
            researcher.orcid_url,
            researcher.openalex_url,
            researcher.dblp_url,
            researcher.semantic_scholar_url,
            researcher.website,
            researcher.google_scholar_url,
            researcher.github_url,
        ]
        if url
    ]
    person = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": researcher.full_name,
        "givenName": researcher.given_name,
        "familyName": researcher.family_name,
        "url": public_url(researcher.get_absolute_url()),
        "knowsAbout": [topic.name for topic in topics],
    }
    if researcher.position:
        person["jobTitle"] = researcher.position
    if researcher.organization:
        person["affiliation"] = {"@type": "Organization", "name": researcher.organization}
    if researcher.portrait:
        person["image"] = public_url(researcher.portrait.url)
    if same_as:
        person["sameAs"] = same_as
    return person


# schema.org types of each kind; the others are scholarly articles.
SCHEMA_TYPES = {
    Publication.Kind.BOOK: "Book",
    Publication.Kind.BOOK_CHAPTER: "Chapter",
    Publication.Kind.THESIS: "Thesis",
    Publication.Kind.REPORT: "Report",
}


def _agent(author: Author, request: HttpRequest) -> dict:
    """schema.org Person (or Organization) who signs or edits a publication."""
    if author.is_organization:
        return {"@type": "Organization", "name": author.display_name}
    agent = {"@type": "Person", "name": author.display_name}
    parts = {
        "givenName": author.given_name,
        "familyName": author.family_name,
        "honorificSuffix": author.suffix,
    }
    agent.update({name: value for name, value in parts.items() if value})
    profile = author.public_profile
    if profile is not None:
        agent["url"] = public_url(profile.get_absolute_url())
    return agent


def _container(publication: Publication) -> dict | None:
    """The journal issue and volume, or the book, a publication appears in."""
    if publication.kind not in CONTAINER_FIELDS:
        return None
    if publication.kind != Publication.Kind.JOURNAL_ARTICLE:
        return {"@type": "Book", "name": publication.venue} if publication.venue else None
    container = {"@type": "Periodical", "name": publication.venue} if publication.venue else None
    for schema_type, number_property, number in (
        ("PublicationVolume", "volumeNumber", publication.volume),
        ("PublicationIssue", "issueNumber", publication.issue),
    ):
        if number:
            part = {"@type": schema_type, number_property: number}
            container = {**part, "isPartOf": container} if container else part
    return container


def _pagination(publication: Publication) -> dict:
    if not publication.pages:
        return {}
    first, last = page_range(publication.pages)
    pages = {"pagination": f"{first}-{last}" if last else first, "pageStart": first}
    return {**pages, "pageEnd": last} if last else pages


def publication_article(publication: Publication, request: HttpRequest) -> dict:
    """schema.org ScholarlyArticle (or Book, Chapter, Thesis, Report) of a publication page,
    authors and editors in order, with the same data as the citation downloads."""
    article = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(publication.kind, "ScholarlyArticle"),
        "headline": publication.title[:110],
        "name": publication.title,
        "author": [_agent(a.author, request) for a in publication.author_authorships],
        "datePublished": "-".join(f"{part:02d}" for part in issued(publication)),
        "url": public_url(publication.get_absolute_url()),
    }
    editors = [_agent(a.author, request) for a in publication.editor_authorships]
    if editors:
        article["editor"] = editors
    if publication.abstract:
        article["abstract"] = publication.abstract
    container = _container(publication)
    if container:
        article["isPartOf"] = container
    article.update(_pagination(publication))
    publisher = publisher_name(publication)
    if publisher:
        article["publisher"] = {"@type": "Organization", "name": publisher}
    article.update(_identifiers(publication))
    return article


def _identifiers(publication: Publication) -> dict:
    """The work's identifiers, and its records elsewhere (its DOI, OpenAlex, DBLP) as
    ``sameAs``."""
    found = {}
    identifiers = [
        {"@type": "PropertyValue", "propertyID": name, "value": value}
        for name, value in (("DOI", publication.doi), ("arXiv", publication.arxiv_id))
        if value
    ]
    if identifiers:
        found["identifier"] = identifiers
    same_as = [
        url
        for url in (
            publication.doi_url,
            f"https://openalex.org/{publication.openalex_id}" if publication.openalex_id else "",
            f"https://dblp.org/rec/{publication.dblp_key}" if publication.dblp_key else "",
        )
        if url
    ]
    if same_as:
        found["sameAs"] = same_as
    return found


# The Highwire tag that names a publication's venue, by kind (Google Scholar's names).
HIGHWIRE_VENUES = {
    Publication.Kind.JOURNAL_ARTICLE: "citation_journal_title",
    Publication.Kind.CONFERENCE_PAPER: "citation_conference_title",
    Publication.Kind.BOOK_CHAPTER: "citation_inbook_title",
}
HIGHWIRE_INSTITUTIONS = {
    Publication.Kind.THESIS: "citation_dissertation_institution",
    Publication.Kind.REPORT: "citation_technical_report_institution",
}
HIGHWIRE_NUMBERS = {Publication.Kind.REPORT: "citation_technical_report_number"}


def highwire_tags(publication: Publication) -> list[tuple[str, str]]:
    """(name, content) of the citation_* meta tags that Google Scholar and Zotero read; the
    editors are not authors, and have no tag of their own."""
    tags = [("citation_title", publication.title)]
    tags += [("citation_author", a.author.display_name) for a in publication.author_authorships]
    tags.append(
        ("citation_publication_date", "/".join(f"{part:02d}" for part in issued(publication)))
    )
    first_page, last_page = page_range(publication.pages)
    optional = [
        (HIGHWIRE_VENUES.get(publication.kind), publication.venue),
        ("citation_volume", publication.volume),
        ("citation_issue", publication.issue),
        ("citation_firstpage", first_page),
        ("citation_lastpage", last_page),
        ("citation_publisher", publication.publisher),
        (HIGHWIRE_INSTITUTIONS.get(publication.kind), publication.institution),
        (HIGHWIRE_NUMBERS.get(publication.kind), publication.number),
        ("citation_doi", publication.doi),
        ("citation_arxiv_id", publication.arxiv_id),
        ("citation_pdf_url", publication.pdf_url),
        ("citation_abstract", publication.abstract),
    ]
    return tags + [(name, value) for name, value in optional if name and value]
