"""A topic's publications per year on its page: a bar chart whose bars lead to the publication
list filtered by the topic and the year, and the same figures as a table."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation

from profiles.models import ResearchTopic
from tests.factories import AuthorFactory, PublicationFactory, publication_with_authors
from tests.pages import queries_of, titles


@pytest.fixture
def topic(db) -> ResearchTopic:
    """Four published works in 2019, one in 2021, a draft in 2020, another topic's in 2015."""
    topic = ResearchTopic.objects.create(
        slug_fr="optimisation",
        slug_en="optimization",
        name_fr="Optimisation",
        name_en="Optimization",
    )
    for year, is_published in [(2019, True)] * 4 + [(2021, True), (2020, False)]:
        PublicationFactory(year=year, is_published=is_published).topics.add(topic)
    PublicationFactory(year=2015)
    return topic


def figure(html: str) -> str:
    found = re.search(r'<figure class="year-chart">.*?</figure>', html, re.S)
    assert found, "the page has no chart"
    return found.group(0)


def bar_links(chart: str) -> list[tuple[str, str]]:
    """(the bar's title, its address) for each bar."""
    return [
        (title, unescape(href))
        for href, title in re.findall(
            r'<a class="year-chart__link" href="([^"]+)">\s*<title>([^<]+)</title>', chart
        )
    ]


def test_each_year_is_a_bar_leading_to_the_list_of_that_topic_and_year(client, topic):
    chart = figure(client.get("/fr/sujets/optimisation/").content.decode())

    links = bar_links(chart)
    assert [title for title, _url in links] == ["2019 : 4 publications", "2021 : 1 publication"]
    url = links[0][1]
    assert urlsplit(url).path == "/fr/publications/"
    assert parse_qs(urlsplit(url).query) == {
        "topic": ["optimisation"],
        "year_from": ["2019"],
        "year_to": ["2019"],
    }
    assert len(titles(client.get(url))) == 4


def test_the_english_chart_speaks_english_and_links_the_english_slug(client, topic):
    with translation.override("en"):
        chart = figure(client.get("/en/topics/optimization/").content.decode())

    links = bar_links(chart)
    assert links[0][0] == "2019: 4 publications"
    assert parse_qs(urlsplit(links[0][1]).query)["topic"] == ["optimization"]
    assert "<figcaption" in chart
    assert "Publications per year" in chart
    assert "Show the figures" in chart


def test_the_drawing_is_a_named_and_described_image(client, topic):
    chart = figure(client.get("/fr/sujets/optimisation/").content.decode())

    image = re.search(r'<svg role="img" aria-labelledby="([^"]+)"', chart)
    assert image
    title_id, desc_id = image.group(1).split()
    assert f'<title id="{title_id}">Publications par année</title>' in chart
    desc = re.search(rf'<desc id="{desc_id}">([^<]+)</desc>', chart).group(1)
    assert desc == "5 publications de 2019 à 2021 ; le plus grand nombre en 2019 (4)."
    # The year without publications between them is marked, not skipped.
    assert chart.count('class="year-chart__gap"') == 1
    assert 'style="' not in chart


def test_the_figures_are_a_table_behind_a_disclosure(client, topic):
    chart = figure(client.get("/fr/sujets/optimisation/").content.decode())

    details = chart.split('<details class="year-chart__figures">')[1]
    assert "<summary>Afficher les chiffres</summary>" in details
    cells = re.findall(
        r'<tr><th scope="row">(?:<a href="[^"]+">)?(\d+)(?:</a>)?</th><td>(\d+)</td>', details
    )
    assert cells == [("2019", "4"), ("2020", "0"), ("2021", "1")]


def test_a_topic_without_publications_has_no_chart(client, db):
    ResearchTopic.objects.create(slug="empty", name_fr="Vide", name_en="Empty")

    html = client.get("/fr/sujets/empty/").content.decode()

    assert "year-chart" not in html


@pytest.mark.django_db
def test_the_chart_costs_the_topic_page_no_query_of_its_own(client):
    """The years' counts give the page its number of publications too: the page costs the same
    with the chart as without it, for 5 or 300 works over many years."""
    topic = ResearchTopic.objects.create(slug="t", name_fr="T", name_en="T")

    def grow(count: int) -> None:
        for number in range(count):
            publication_with_authors([AuthorFactory()], year=1990 + number % 35).topics.add(topic)

    grow(5)
    few = queries_of(client, topic.get_absolute_url())
    grow(295)
    many = queries_of(client, topic.get_absolute_url())
    html = client.get(topic.get_absolute_url()).content.decode()

    assert few == many
    assert "Voir les 300 publications sur ce sujet" in html
    assert len(bar_links(figure(html))) == 35
