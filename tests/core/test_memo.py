"""{% memo %}: a fragment kept for the current state of the data, in each language."""

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

from profiles.models import ResearchTopic

pytestmark = pytest.mark.django_db

TEMPLATE = Template(
    "{% load i18n memo %}{% memo topic_names %}{% for topic in topics %}{{ topic.name }} "
    "{% endfor %}{% translate 'Research topics' %}{% endmemo %}"
)


def render() -> str:
    return TEMPLATE.render(Context({"topics": ResearchTopic.objects.order_by("slug")}))


def test_a_fragment_is_kept_until_the_data_changes_and_per_language():
    topic = ResearchTopic.objects.create(name_fr="Robotique", name_en="Robotics", slug="robotique")
    with translation.override("fr"):
        assert render() == "Robotique Sujets de recherche"
    ResearchTopic.objects.filter(pk=topic.pk).update(name_fr="Autre")  # no signal: still kept
    with translation.override("fr"):
        assert render() == "Robotique Sujets de recherche"
    with translation.override("en"):
        assert render() == "Robotics Research topics"

    topic.name_fr = "Robotique mobile"
    topic.save()  # a change of the data: the fragment is rendered anew

    with translation.override("fr"):
        assert render() == "Robotique mobile Sujets de recherche"


def test_a_fragment_varies_on_plain_values_not_objects():
    topic = ResearchTopic.objects.create(name_fr="Robotique", name_en="Robotics", slug="robotique")
    by_key = Template("{% load memo %}{% memo topic_name topic.pk %}{{ topic.name }}{% endmemo %}")
    by_object = Template("{% load memo %}{% memo topic_name topic %}{{ topic.name }}{% endmemo %}")

    assert by_key.render(Context({"topic": topic})) == "Robotique"
    with pytest.raises(TypeError, match="plain values"):
        by_object.render(Context({"topic": topic}))


def test_a_fragment_needs_a_name():
    with pytest.raises(TemplateSyntaxError, match="needs a fragment name"):
        Template("{% load memo %}{% memo %}x{% endmemo %}")


def menu(response) -> list[tuple[str, bool]]:
    """The main menu's links, and whether each is marked as the current page."""
    nav = response.content.decode().split('<nav class="site-nav"')[1].split("</nav>")[0]
    return [
        (href, bool(current))
        for href, current in re.findall(r'<a href="([^"]+)"( aria-current="page")?>', nav)
    ]


def test_the_layout_is_kept_for_each_language_and_current_page(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # each page rendered again, its layout from memo()
    for _ in range(2):
        assert menu(client.get("/fr/")) == [
            ("/fr/", True),
            ("/fr/publications/", False),
            ("/fr/sujets/", False),
        ]
        assert menu(client.get("/fr/sujets/")) == [
            ("/fr/", False),
            ("/fr/publications/", False),
            ("/fr/sujets/", True),
        ]
        english = client.get("/en/topics/")
        assert menu(english) == [
            ("/en/", False),
            ("/en/publications/", False),
            ("/en/topics/", True),
        ]
        html = english.content.decode()
        assert '<link rel="stylesheet" href="/static/css/site.css">' in html
        assert 'href="/en/feeds/publications.rss"' in html
        assert '<a href="/admin/">Editors\' area</a>' in html
