"""Editors give a topic its slug in each language, each made from that language's name, unique,
and never another topic's slug in the other language (old addresses name either)."""

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from profiles.models import ResearchTopic
from tests.factories import ResearchTopicFactory
from tests.pages import text_of

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:profiles_researchtopic_add")


def topic_data(**fields) -> dict:
    data = {
        "name_fr": "Apprentissage continu",
        "name_en": "Continual learning",
        "slug_fr": "apprentissage-continu",
        "slug_en": "continual-learning",
    }
    data.update(fields)
    return data


def test_the_form_fills_each_slug_from_its_languages_name(editor_client):
    html = editor_client.get(ADD_URL).content.decode()

    constants = re.search(r'data-prepopulated-fields="([^"]+)"', html).group(1)
    fields = {item["id"]: item["dependency_ids"] for item in json.loads(unescape(constants))}
    assert fields == {"#id_slug_fr": ["#id_name_fr"], "#id_slug_en": ["#id_name_en"]}


def test_an_editor_adds_a_topic_with_both_slugs(editor_client):
    response = editor_client.post(ADD_URL, topic_data())

    assert response.status_code == 302
    topic = ResearchTopic.objects.get()
    assert (topic.slug_fr, topic.slug_en) == ("apprentissage-continu", "continual-learning")


def test_both_slugs_are_required(editor_client):
    response = editor_client.post(ADD_URL, topic_data(slug_en=""), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "This field is required." in text_of(response)
    assert not ResearchTopic.objects.exists()


def test_a_topic_may_have_the_same_slug_in_both_languages(editor_client):
    data = topic_data(name_en="Optimisation", slug_fr="optimisation", slug_en="optimisation")

    assert editor_client.post(ADD_URL, data).status_code == 302


@pytest.mark.parametrize(
    ("fields", "wrong"),
    [
        ({"slug_fr": "deep-learning"}, "slug_fr"),
        ({"slug_en": "apprentissage-profond"}, "slug_en"),
    ],
)
def test_a_slug_may_not_be_another_topics_slug_in_the_other_language(editor_client, fields, wrong):
    ResearchTopicFactory(
        name_fr="Apprentissage profond",
        name_en="Deep learning",
        slug_fr="apprentissage-profond",
        slug_en="deep-learning",
    )

    response = editor_client.post(ADD_URL, topic_data(**fields), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    message = f"“{fields[wrong]}” is the slug of the topic “Deep learning” in the other language"
    assert message in text_of(response)
    assert ResearchTopic.objects.count() == 1


def test_the_message_is_french_for_a_french_editor(editor_client):
    ResearchTopicFactory(name_fr="Apprentissage profond", slug_fr="a", slug_en="deep-learning")

    response = editor_client.post(ADD_URL, topic_data(slug_fr="deep-learning"))

    assert "« deep-learning » est l’identifiant d’adresse du sujet" in text_of(response)


def test_a_slug_already_used_in_the_same_language_is_refused(editor_client):
    ResearchTopicFactory(slug_fr="x", slug_en="continual-learning")

    response = editor_client.post(ADD_URL, topic_data(), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "already exists" in text_of(response)
    assert ResearchTopic.objects.count() == 1


def test_an_edit_in_english_keeps_the_french_slug(editor_client):
    topic = ResearchTopicFactory(**topic_data())
    url = reverse("admin:profiles_researchtopic_change", args=[topic.pk])
    page = editor_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    snapshot = re.search(r'name="edit_snapshot" value="([^"]*)"', page.content.decode())

    response = editor_client.post(
        url,
        topic_data(name_en="Lifelong learning", edit_snapshot=unescape(snapshot.group(1))),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    topic.refresh_from_db()
    assert (topic.slug_fr, topic.slug_en) == ("apprentissage-continu", "continual-learning")


def test_the_list_shows_and_searches_both_slugs(editor_client):
    ResearchTopicFactory(**topic_data())
    changelist = reverse("admin:profiles_researchtopic_changelist")

    response = editor_client.get(changelist, {"q": "continual-learning"})

    assert "apprentissage-continu" in text_of(response)
    assert "continual-learning" in text_of(response)
