"""The publication list's filters on any screen: a disclosure that says how many are in use,
before the results; a long topic facet shows the most used topics and the rest behind
"+N more"."""

import re

import pytest
from django.utils import translation

from profiles.models import ResearchTopic
from tests.factories import AuthorFactory, publication_with_authors
from tests.pages import checkbox_counts, titles

URL = "/fr/publications/"


def summary(response) -> str:
    html = response.content.decode()
    found = re.search(r'<summary class="list-filters__summary">(.*?)</summary>', html, re.S)
    assert found, "the filters have no disclosure"
    return " ".join(found.group(1).split())


@pytest.fixture
def topics(db) -> list[ResearchTopic]:
    """30 topics: topic n has n + 1 publications (topic 29 is the most used)."""
    topics = [
        ResearchTopic.objects.create(
            slug=f"t{n:02}", name_fr=f"Sujet {n:02}", name_en=f"Topic {n:02}"
        )
        for n in range(30)
    ]
    publications = [
        publication_with_authors([AuthorFactory()], title=f"Work {n}", year=2000 + n % 20)
        for n in range(30)
    ]
    for n, topic in enumerate(topics):
        topic.publications.set(publications[: n + 1])
    return topics


def test_the_summary_counts_the_filters_in_use(client, topics):
    assert summary(client.get(URL)) == "Filtres"
    assert summary(client.get(URL, {"topic": "t01"})) == "Filtres (1 actif)"
    assert summary(client.get(URL, {"topic": ["t01", "t02"], "year_from": "2001"})) == (
        "Filtres (3 actifs)"
    )
    # A sort order chooses no rows; a value that could not be used is no filter.
    assert summary(client.get(URL, {"sort": "title", "year_to": "soon"})) == "Filtres"
    with translation.override("en"):
        english = client.get("/en/publications/", {"topic": "t01", "kind": "inproceedings"})
        assert summary(english) == "Filters (2 active)"


def test_the_results_follow_the_filters_disclosure(client, topics):
    html = client.get(URL).content.decode()

    disclosure = html.index('<details class="list-filters">')
    form = html.index('<form class="filter-form"')
    closing = html.index("</details>", form)
    assert disclosure < form < closing < html.index('<section class="list-results"')
    assert "jump-to-results" not in html


def test_a_long_topic_facet_shows_the_most_used_then_the_others_behind_more(client, topics):
    html = client.get(URL).content.decode()
    shown = html.split('<ul class="facet__options">')[1].split("</ul>")[0]
    more = html.split('<details class="facet__more">')[1].split("</details>")[0]

    assert re.findall(r'name="topic" value="(t\d+)"', shown) == [f"t{n}" for n in range(29, 19, -1)]
    assert "+20 autres" in more
    # Every other topic is still there to be chosen, in alphabetical order.
    assert re.findall(r'name="topic" value="(t\d+)"', more) == [f"t{n:02}" for n in range(20)]


def test_a_chosen_topic_is_always_shown_checked(client, topics):
    response = client.get(URL, {"topic": "t03"})
    html = response.content.decode()
    shown = html.split('<ul class="facet__options">')[1].split("</ul>")[0]

    assert '<input type="checkbox" name="topic" value="t03" checked>' in shown
    assert checkbox_counts(response, "topic")["t03"] == 4
    assert len(titles(response)) == 4


def test_each_topic_is_offered_once(client, topics):
    html = client.get(URL).content.decode()

    offered = re.findall(r'<input type="checkbox" name="topic" value="([^"]+)"', html)
    assert sorted(offered) == sorted(topic.slug for topic in topics)
