"""The directory's filters: a disclosure that says how many are in use, before the researchers;
a long topic facet shows the most used topics and the rest behind "+N more"."""

import re

import pytest
from django.utils import translation

from profiles.models import Membership, ResearchTopic
from tests.factories import ResearcherFactory
from tests.pages import names

URL = "/fr/"


def summary(response) -> str:
    html = response.content.decode()
    found = re.search(r'<summary class="list-filters__summary">(.*?)</summary>', html, re.S)
    assert found, "the filters have no disclosure"
    return " ".join(found.group(1).split())


@pytest.fixture
def topics(db) -> list[ResearchTopic]:
    """15 topics: topic n is the topic of n + 1 researchers."""
    topics = [
        ResearchTopic.objects.create(
            slug=f"t{n:02}", name_fr=f"Sujet {n:02}", name_en=f"Topic {n:02}"
        )
        for n in range(15)
    ]
    researchers = [ResearcherFactory(family_name=f"Name{n:02}") for n in range(15)]
    for n, topic in enumerate(topics):
        topic.researchers.set(researchers[: n + 1])
    return topics


def test_the_summary_counts_the_filters_in_use(client, topics):
    assert summary(client.get(URL)) == "Filtres"
    params = {"topic": ["t01", "t02"], "membership": Membership.CORE_ACADEMIC}
    assert summary(client.get(URL, params)) == "Filtres (3 actifs)"
    with translation.override("en"):
        assert summary(client.get("/en/", {"topic": "t01"})) == "Filters (1 active)"


def test_the_researchers_follow_the_filters_disclosure(client, topics):
    response = client.get(URL)
    html = response.content.decode()

    form = html.index('<form class="filter-form"')
    assert html.index('<details class="list-filters">') < form
    assert html.index("</details>", form) < html.index('<section class="list-results"')
    assert len(names(response)) == 15


def test_a_long_topic_facet_shows_the_most_used_then_the_others(client, topics):
    html = client.get(URL, {"topic": "t00"}).content.decode()
    shown = html.split('<ul class="facet__options">')[1].split("</ul>")[0]
    more = html.split('<details class="facet__more">')[1].split("</details>")[0]

    # The chosen topic first, then the nine most used.
    assert re.findall(r'value="(t\d+)"', shown) == ["t00", *[f"t{n:02}" for n in range(14, 5, -1)]]
    assert re.findall(r'value="(t\d+)"', more) == [f"t{n:02}" for n in range(1, 6)]
    assert "+5 autres" in more
