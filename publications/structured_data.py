"""Metadata for search engines and reference managers: schema.org JSON-LD, Highwire tags."""

from django.http import HttpRequest

from profiles.models import Researcher

from .models import Publication


def researcher_person(researcher: Researcher, topics, request: HttpRequest) -> dict:
    """schema.org Person of a profile page."""
    same_as = [
        url
        for url in [
            researcher.orcid_url,
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
        "url": request.build_absolute_uri(researcher.get_absolute_url()),
        "knowsAbout": [topic.name for topic in topics],
    }
    if researcher.position:
        person["jobTitle"] = researcher.position
    if researcher.organization:
        person["affiliation"] = {"@type": "Organization", "name": researcher.organization}
    if researcher.portrait:
        person["image"] = request.build_absolute_uri(researcher.portrait.url)
    if same_as:
        person["sameAs"] = same_as
    return person


def publication_article(publication: Publication, request: HttpRequest) -> dict:
    """schema.org ScholarlyArticle of a publication page, authors in order."""
    authors = []
    for authorship in publication.authorships.all():
        author = {"@type": "Person", "name": authorship.author.display_name}
        profile = authorship.author.public_profile
        if profile is not None:
            author["url"] = request.build_absolute_uri(profile.get_absolute_url())
        authors.append(author)
    article = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": publication.title[:110],
        "name": publication.title,
        "author": authors,
        "datePublished": str(publication.year),
        "url": request.build_absolute_uri(publication.get_absolute_url()),
    }
    if publication.abstract:
        article["abstract"] = publication.abstract
    if publication.venue:
        article["isPartOf"] = {"@type": "PublicationIssue", "name": publication.venue}
    identifiers = []
    if publication.doi:
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "DOI", "value": publication.doi}
        )
        article["sameAs"] = [publication.doi_url]
    if publication.arxiv_id:
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "arXiv", "value": publication.arxiv_id}
        )
    if identifiers:
        article["identifier"] = identifiers
    return article


def highwire_tags(publication: Publication) -> list[tuple[str, str]]:
    """(name, content) of the citation_* meta tags that Google Scholar and Zotero read."""
    tags = [("citation_title", publication.title)]
    tags += [("citation_author", a.author.display_name) for a in publication.authorships.all()]
    tags.append(("citation_publication_date", str(publication.year)))
    if publication.venue:
        name = (
            "citation_conference_title"
            if publication.kind == Publication.Kind.CONFERENCE_PAPER
            else "citation_journal_title"
        )
        tags.append((name, publication.venue))
    if publication.doi:
        tags.append(("citation_doi", publication.doi))
    if publication.arxiv_id:
        tags.append(("citation_arxiv_id", publication.arxiv_id))
    if publication.pdf_url:
        tags.append(("citation_pdf_url", publication.pdf_url))
    if publication.abstract:
        tags.append(("citation_abstract", publication.abstract))
    return tags
