"""The public page of one publication."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.models import ResearchTopic
from tests.factories import AuthorFactory, publication_with_authors, researcher_with_author


def test_publication_page_shows_identifiers_links_and_topics(client, db):
    topic = ResearchTopic.objects.create(
        slug="optimisation", name_fr="Optimisation", name_en="Optimization"
    )
    publication = publication_with_authors(
        [AuthorFactory(display_name="Ada Lovelace")],
        title="On engines",
        doi="https://doi.org/10.1000/XYZ.1",
        arxiv_id="arXiv:2401.00001v3",
        code_url="https://example.org/code",
    )
    publication.full_clean()
    publication.save()
    publication.topics.add(topic)

    html = client.get(publication.get_absolute_url()).content.decode()

    assert '<h1 lang="en">On engines</h1>' in html
    assert 'href="https://doi.org/10.1000/xyz.1"' in html
    assert 'href="https://arxiv.org/abs/2401.00001"' in html
    assert 'href="https://example.org/code"' in html
    assert 'href="/fr/publications/?topic=optimisation">Optimisation</a>' in html
    english = client.get(publication.get_absolute_url().replace("/fr/", "/en/", 1))
    assert "Optimization" in english.content.decode()


def test_unpublished_publication_is_not_found(client, db):
    publication = publication_with_authors([AuthorFactory()], is_published=False)

    assert client.get(publication.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_publication_page_costs_constant_queries(client):
    def queries_for(author_count: int) -> int:
        authors = [researcher_with_author().author for _ in range(author_count)]
        publication = publication_with_authors(authors)
        publication.topics.set(
            ResearchTopic.objects.create(slug=f"t-{author_count}-{n}", name_fr="S", name_en="T")
            for n in range(author_count)
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(publication.get_absolute_url()).status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(40)
