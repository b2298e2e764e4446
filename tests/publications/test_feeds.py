"""Feeds never fail on stored text: control characters, which XML cannot hold, are left out."""

from xml.etree import ElementTree

import pytest

from profiles.models import ResearchTopic
from publications.models import Author, Publication
from tests.factories import ResearchTopicFactory, publication_with_authors, researcher_with_author

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def publication_with_control_characters(db) -> Publication:
    """Text as an older import could have stored it, written straight to the database."""
    researcher = researcher_with_author(slug="ada", given_name="Ada", family_name="Lovelace")
    topic = ResearchTopicFactory(slug="bells", name_fr="Cloches", name_en="Bells")
    publication = publication_with_authors([researcher.author], title="placeholder")
    publication.topics.add(topic)
    Publication.objects.filter(pk=publication.pk).update(
        title="Ringing\x01 the bells\x1b[31m",
        abstract="An abstract\x07 with a bell",
        venue="Journal\x0c of Sound",
    )
    Author.objects.filter(pk=researcher.author.pk).update(display_name="Ada\x1b Lovelace")
    ResearchTopic.objects.filter(pk=topic.pk).update(name_en="Bells\x02")
    return publication


@pytest.mark.parametrize(
    "url",
    [
        "/en/feeds/publications.rss",
        "/en/feeds/publications.atom",
        "/en/feeds/researchers/ada.rss",
        "/en/feeds/topics/bells.atom",
    ],
)
def test_a_feed_leaves_out_the_control_characters_of_stored_text(
    client, publication_with_control_characters, url
):
    response = client.get(url)

    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)  # well-formed XML
    titles = [element.text for element in feed.iter() if element.tag in ("title", f"{ATOM}title")]
    assert "Ringing the bells[31m" in titles
    text = response.content.decode()
    assert "Ada Lovelace" in text
    assert "An abstract with a bell" in text
    assert "Journal of Sound" in text
    assert not any(character in text for character in "\x01\x02\x07\x0c\x1b")
    if "topics" in url:
        assert "Publications on Bells · Research directory" in titles
