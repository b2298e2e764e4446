"""Two editors on one entry: a save from a form opened before the other's save is refused, and
the form comes back merged three ways (what only they changed is theirs, what only you changed
is yours, what you both changed is shown side by side), so that saving again keeps both."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.test import Client
from django.urls import reverse

from editorial.snapshots import read_state
from profiles.models import ResearchTopic
from publications.models import Authorship, Publication, PublicationVersion
from tests.editorial.editing import change_url
from tests.factories import AuthorFactory, ResearcherFactory, ResearchTopicFactory
from tests.pages import form_data, text_of

TOPIC_FORM = "researchtopic_form"
PUBLICATION_FORM = "publication_form"
CHOICE = "edit_merge:"  # + a field: the radio button choosing between two values


def signed_in(django_user_model, username: str, first_name: str, language: str) -> Client:
    user = django_user_model.objects.create_user(
        username=username, password="a good long passphrase", is_staff=True, first_name=first_name
    )
    user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(user)
    # The admin has no language prefix: it speaks the language the editor chose.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def me(db, django_user_model) -> Client:
    return signed_in(django_user_model, "sam", "Sam", "en")


@pytest.fixture
def marie(db, django_user_model) -> Client:
    return signed_in(django_user_model, "marie", "Marie", "fr")


@pytest.fixture
def topic(db) -> ResearchTopic:
    return ResearchTopicFactory(name_fr="Apprentissage", name_en="Learning", slug="learning")


def both_open(first: Client, second: Client, obj, form_id: str) -> tuple[dict, dict]:
    """The change form of ``obj`` as each editor opened it, before either saved."""
    url = change_url(obj)
    return form_data(first.get(url), form_id), form_data(second.get(url), form_id)


def signatures(publication: Publication) -> list[str]:
    return list(
        publication.authorships.order_by("role", "position").values_list(
            "author__display_name", flat=True
        )
    )


def author_rows(data: dict) -> list[tuple[str, str]]:
    """The author rows a form would save, in order: (position, author's id), deleted ones left
    out."""
    rows = []
    for index in range(int(data["authorships-TOTAL_FORMS"][0])):
        prefix = f"authorships-{index}-"
        if data.get(prefix + "DELETE") or not data.get(prefix + "author"):
            continue
        rows.append((data[prefix + "position"][0], data[prefix + "author"][0]))
    return sorted(rows, key=lambda row: int(row[0] or 0))


def swap_first_two(data: dict) -> None:
    """Swap the first two authors in a publication form, as an editor does by hand."""
    data["authorships-0-position"], data["authorships-1-position"] = ["2"], ["1"]


# The second of two saves ----------------------------------------------------------------------


def test_the_second_of_two_editors_is_told_and_keeps_what_they_typed(
    editor_client, second_editor, paper
):
    url = change_url(paper)
    abstract_before = paper.abstract
    mine = form_data(editor_client.get(url), "publication_form")
    theirs = form_data(second_editor.get(url), "publication_form")

    theirs["venue"] = ["Taylor's Scientific Memoirs"]
    assert second_editor.post(url, theirs).status_code == 302

    mine["abstract"] = ["An abstract I spent an hour on."]
    response = editor_client.post(url, mine)

    page = text_of(response)
    assert response.status_code == 200
    assert "Marie" in page
    assert "Lieu de publication" in page
    again = form_data(response, "publication_form")
    assert again["abstract"] == ["An abstract I spent an hour on."]
    assert again["venue"] == ["Taylor's Scientific Memoirs"]
    paper.refresh_from_db()
    assert paper.venue == "Taylor's Scientific Memoirs"
    assert paper.abstract == abstract_before

    # Having seen the message, saving again keeps both editors' changes.
    assert editor_client.post(url, again).status_code == 302
    paper.refresh_from_db()
    assert paper.abstract == "An abstract I spent an hour on."
    assert paper.venue == "Taylor's Scientific Memoirs"


def test_a_change_to_the_author_list_is_a_conflict_too(editor_client, second_editor, paper):
    url = change_url(paper)
    mine = form_data(editor_client.get(url), "publication_form")
    Authorship.objects.filter(publication=paper, position=2).update(
        author=AuthorFactory(display_name="Mary Somerville")
    )

    mine["title"] = ["A new title"]
    response = editor_client.post(url, mine)

    assert response.status_code == 200
    page = text_of(response)
    assert "Auteurs, dans l'ordre où ils signent" in page
    paper.refresh_from_db()
    assert paper.title == "Notes on the analytical engine"


def test_two_editors_on_a_researcher(editor_client, second_editor, db):
    researcher = ResearcherFactory(position_fr="Professeur", position_en="Professor")
    url = change_url(researcher)
    mine = form_data(editor_client.get(url), "researcher_form")
    theirs = form_data(second_editor.get(url), "researcher_form")
    theirs["position_fr"] = ["Professeure titulaire"]
    assert second_editor.post(url, theirs).status_code == 302

    mine["organization"] = ["Mila"]
    response = editor_client.post(url, mine)

    assert response.status_code == 200
    researcher.refresh_from_db()
    assert researcher.position_fr == "Professeure titulaire"
    assert researcher.organization != "Mila"


def test_publishing_in_bulk_does_not_overwrite_an_edit(editor_client, second_editor, paper):
    url = change_url(paper)
    theirs = form_data(second_editor.get(url), "publication_form")
    theirs["venue"] = ["Memoirs"]
    assert second_editor.post(url, theirs).status_code == 302

    changelist = reverse("admin:publications_publication_changelist")
    editor_client.post(changelist, {"action": "unpublish", "_selected_action": [paper.pk]})

    paper.refresh_from_db()
    assert paper.venue == "Memoirs"
    assert paper.is_published is False


# Fields ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("their_field", "my_field"), [("name_fr", "name_en"), ("name_en", "name_fr")]
)
def test_a_field_only_they_changed_comes_back_with_their_value(
    me, marie, topic, their_field, my_field
):
    url = change_url(topic)
    mine, theirs = both_open(me, marie, topic, TOPIC_FORM)
    theirs[their_field] = ["Their name"]
    assert marie.post(url, theirs).status_code == 302

    mine[my_field] = ["My name"]
    response = me.post(url, mine)

    assert response.status_code == 200
    page = text_of(response)
    assert re.search(r"Marie saved this entry on \w+\.? \d+, \d{4} \d\d:\d\d:\d\d, while", page)
    label = "Name [fr]" if their_field == "name_fr" else "Name [en]"
    assert f"Their changes are now in the form below: {label}." in page
    again = form_data(response, TOPIC_FORM)
    assert again[their_field] == ["Their name"]
    assert again[my_field] == ["My name"]
    topic.refresh_from_db()
    assert getattr(topic, my_field) != "My name"  # nothing saved yet

    assert me.post(url, again).status_code == 302
    topic.refresh_from_db()
    assert getattr(topic, their_field) == "Their name"
    assert getattr(topic, my_field) == "My name"


def test_the_notice_speaks_the_editors_language(me, marie, topic):
    url = change_url(topic)
    sams, maries = both_open(me, marie, topic, TOPIC_FORM)
    sams["name_en"] = ["Machine learning"]
    assert me.post(url, sams).status_code == 302

    maries["slug"] = ["apprentissage"]
    page = text_of(marie.post(url, maries))

    assert "Sam" in page
    assert "Nom [en]" in page
    assert "Name [en]" not in page


def test_a_field_both_changed_is_shown_side_by_side_with_yours_in_the_form(me, marie, topic):
    url = change_url(topic)
    mine, theirs = both_open(me, marie, topic, TOPIC_FORM)
    theirs["name_en"] = ["Deep learning"]
    assert marie.post(url, theirs).status_code == 302

    mine["name_en"] = ["Neural networks"]
    response = me.post(url, mine)

    assert response.status_code == 200
    page = text_of(response)
    assert "You both changed: Name [en]." in page
    assert "Their value Deep learning" in page
    assert "Your value, in the form below Neural networks" in page
    again = form_data(response, TOPIC_FORM)
    assert again["name_en"] == ["Neural networks"]
    assert again[CHOICE + "name_en"] == ["yours"]

    assert me.post(url, again).status_code == 302
    topic.refresh_from_db()
    assert topic.name_en == "Neural networks"


def test_choosing_their_value_keeps_it(me, marie, topic):
    url = change_url(topic)
    mine, theirs = both_open(me, marie, topic, TOPIC_FORM)
    theirs["name_en"] = ["Deep learning"]
    assert marie.post(url, theirs).status_code == 302
    mine["name_en"], mine["name_fr"] = ["Neural networks"], ["Réseaux de neurones"]
    again = form_data(me.post(url, mine), TOPIC_FORM)

    again[CHOICE + "name_en"] = ["theirs"]
    assert me.post(url, again).status_code == 302

    topic.refresh_from_db()
    assert (topic.name_fr, topic.name_en) == ("Réseaux de neurones", "Deep learning")


def test_the_same_change_made_by_both_is_no_disagreement(me, marie, topic):
    url = change_url(topic)
    mine, theirs = both_open(me, marie, topic, TOPIC_FORM)
    theirs["name_en"] = ["Machine learning"]
    assert marie.post(url, theirs).status_code == 302

    mine["name_en"] = ["Machine learning"]
    response = me.post(url, mine)

    assert "You both changed" not in text_of(response)
    assert me.post(url, form_data(response, TOPIC_FORM)).status_code == 302


def test_a_third_save_in_between_is_merged_again(me, marie, topic, editor_client):
    url = change_url(topic)
    mine, theirs = both_open(me, marie, topic, TOPIC_FORM)
    theirs["name_en"] = ["Deep learning"]
    assert marie.post(url, theirs).status_code == 302
    mine["name_en"] = ["Neural networks"]
    again = form_data(me.post(url, mine), TOPIC_FORM)

    later = form_data(editor_client.get(url), TOPIC_FORM)
    later["name_fr"] = ["Apprentissage profond"]
    assert editor_client.post(url, later).status_code == 302
    response = me.post(url, again)

    assert response.status_code == 200
    last = form_data(response, TOPIC_FORM)
    assert (last["name_fr"], last["name_en"]) == (["Apprentissage profond"], ["Neural networks"])
    assert me.post(url, last).status_code == 302
    topic.refresh_from_db()
    assert (topic.name_fr, topic.name_en) == ("Apprentissage profond", "Neural networks")


# A publication's authors, as one list -------------------------------------------------------


def test_an_author_list_only_they_changed_comes_back_as_theirs(me, marie, paper):
    url = change_url(paper)
    mine, theirs = both_open(me, marie, paper, PUBLICATION_FORM)
    somerville = AuthorFactory(display_name="Mary Somerville")
    swap_first_two(theirs)
    theirs["authorships-2-author"], theirs["authorships-2-position"] = [str(somerville.pk)], ["3"]
    assert marie.post(url, theirs).status_code == 302

    mine["title"] = ["Notes, revised"]
    response = me.post(url, mine)

    assert response.status_code == 200
    assert "Their changes are now in the form below: Authors, in the order they sign." in (
        text_of(response)
    )
    again = form_data(response, PUBLICATION_FORM)
    hopper, lovelace = (
        str(Authorship.objects.get(publication=paper, position=p).author_id) for p in (1, 2)
    )
    assert author_rows(again) == [("1", hopper), ("2", lovelace), ("3", str(somerville.pk))]

    assert me.post(url, again).status_code == 302
    paper.refresh_from_db()
    assert paper.title == "Notes, revised"
    assert signatures(paper) == ["Grace Hopper", "Ada Lovelace", "Mary Somerville"]


def test_an_author_list_only_you_changed_stays_yours(me, marie, paper):
    url = change_url(paper)
    mine, theirs = both_open(me, marie, paper, PUBLICATION_FORM)
    theirs["venue"] = ["Scientific Memoirs"]
    assert marie.post(url, theirs).status_code == 302

    swap_first_two(mine)
    response = me.post(url, mine)

    assert response.status_code == 200
    again = form_data(response, PUBLICATION_FORM)
    assert again["venue"] == ["Scientific Memoirs"]
    assert me.post(url, again).status_code == 302
    paper.refresh_from_db()
    assert paper.venue == "Scientific Memoirs"
    assert signatures(paper) == ["Grace Hopper", "Ada Lovelace"]


def test_an_author_list_both_changed_shows_both_and_keeps_yours(me, marie, paper):
    url = change_url(paper)
    mine, theirs = both_open(me, marie, paper, PUBLICATION_FORM)
    somerville = AuthorFactory(display_name="Mary Somerville")
    theirs["authorships-2-author"], theirs["authorships-2-position"] = [str(somerville.pk)], ["3"]
    assert marie.post(url, theirs).status_code == 302

    mine["authorships-1-DELETE"] = ["on"]  # Grace Hopper signed another paper
    response = me.post(url, mine)

    assert response.status_code == 200
    page = text_of(response)
    assert "You both changed: Authors, in the order they sign." in page
    their_list = page.split("Their value", 1)[1].split("Your value", 1)[0]
    assert "Mary Somerville" in their_list
    assert "Grace Hopper" in their_list
    again = form_data(response, PUBLICATION_FORM)
    lovelace = str(Authorship.objects.get(publication=paper, position=1).author_id)
    assert author_rows(again) == [("1", lovelace)]

    assert me.post(url, again).status_code == 302
    assert signatures(paper) == ["Ada Lovelace"]


def test_their_author_list_can_be_chosen(me, marie, paper):
    url = change_url(paper)
    mine, theirs = both_open(me, marie, paper, PUBLICATION_FORM)
    somerville = AuthorFactory(display_name="Mary Somerville")
    theirs["authorships-2-author"], theirs["authorships-2-position"] = [str(somerville.pk)], ["3"]
    assert marie.post(url, theirs).status_code == 302
    mine["authorships-1-DELETE"] = ["on"]
    mine["title"] = ["Notes, revised"]
    again = form_data(me.post(url, mine), PUBLICATION_FORM)

    again[CHOICE + "inline:publications.Authorship"] = ["theirs"]
    assert me.post(url, again).status_code == 302

    paper.refresh_from_db()
    assert paper.title == "Notes, revised"
    assert signatures(paper) == ["Ada Lovelace", "Grace Hopper", "Mary Somerville"]


# A publication's topics, as a set -----------------------------------------------------------


def test_topics_both_changed_combine_additions_and_removals(me, marie, paper):
    url = change_url(paper)
    calcul = paper.topics.get()
    logic = ResearchTopicFactory(name_fr="Logique", name_en="Logic")
    optimisation = ResearchTopicFactory(name_fr="Optimisation", name_en="Optimization")
    mine, theirs = both_open(me, marie, paper, PUBLICATION_FORM)
    theirs["topics"] = [str(calcul.pk), str(logic.pk)]
    assert marie.post(url, theirs).status_code == 302

    mine["topics"] = [str(optimisation.pk)]  # Calcul removed, Optimisation added
    response = me.post(url, mine)

    assert response.status_code == 200
    assert "Their additions and removals are combined with yours: Research topics." in (
        text_of(response)
    )
    again = form_data(response, PUBLICATION_FORM)
    assert sorted(again["topics"]) == sorted([str(logic.pk), str(optimisation.pk)])
    assert me.post(url, again).status_code == 302
    assert set(paper.topics.all()) == {logic, optimisation}


def test_topics_only_they_changed_are_theirs(me, marie, paper):
    url = change_url(paper)
    logic = ResearchTopicFactory(name_fr="Logique", name_en="Logic")
    mine, theirs = both_open(me, marie, paper, PUBLICATION_FORM)
    theirs["topics"] = [str(logic.pk)]
    assert marie.post(url, theirs).status_code == 302

    mine["year"] = ["1951"]
    again = form_data(me.post(url, mine), PUBLICATION_FORM)

    assert again["topics"] == [str(logic.pk)]
    assert me.post(url, again).status_code == 302
    paper.refresh_from_db()
    assert paper.year == 1951
    assert list(paper.topics.all()) == [logic]


# Bad input ------------------------------------------------------------------------------------


def test_a_form_without_a_readable_snapshot_is_refused_without_error(me, topic):
    url = change_url(topic)
    data = form_data(me.get(url), TOPIC_FORM)
    data["name_en"] = ["Learning theory"]

    for snapshot in ([""], ["forged:value"]):
        response = me.post(url, {**data, "edit_snapshot": snapshot})
        assert response.status_code == 200
        assert "your form does not say which version of the entry" in text_of(response)
    assert me.post(url, form_data(response, TOPIC_FORM)).status_code == 302
    topic.refresh_from_db()
    assert topic.name_en == "Learning theory"


def test_a_form_opened_before_the_snapshot_was_signed_otherwise_is_refused_once(me, topic):
    """A change form served before the snapshot's salt changed (an earlier release of the site)
    is refused as one without a readable snapshot: the editor's input comes back, and saves."""
    url = change_url(topic)
    data = form_data(me.get(url), TOPIC_FORM)
    state = read_state(data["edit_snapshot"][0])
    data["edit_snapshot"] = [signing.dumps(state, salt="config.history.snapshot")]
    data["name_en"] = ["Learning theory"]

    response = me.post(url, data)

    assert response.status_code == 200
    assert "your form does not say which version of the entry" in text_of(response)
    again = form_data(response, TOPIC_FORM)
    assert again["name_en"] == ["Learning theory"]
    topic.refresh_from_db()
    assert topic.name_en == "Learning"
    assert me.post(url, again).status_code == 302
    topic.refresh_from_db()
    assert topic.name_en == "Learning theory"


def test_odd_choices_and_bad_rows_in_a_stale_form_are_no_error(me, marie, paper):
    url = change_url(paper)
    mine, theirs = both_open(me, marie, paper, PUBLICATION_FORM)
    theirs["venue"] = ["Memoirs"]
    assert marie.post(url, theirs).status_code == 302

    mine[CHOICE + "nonexistent"] = ["theirs"]
    mine[CHOICE + "title"] = ["theirs"]
    mine["authorships-0-author"] = ["999999"]
    mine["authorships-TOTAL_FORMS"] = ["nope"]
    response = me.post(url, mine)

    assert response.status_code == 200
    paper.refresh_from_db()
    assert paper.venue == "Memoirs"


def test_other_versions_of_the_work_are_merged_as_a_list_too(me, marie, paper):
    PublicationVersion.objects.create(
        publication=paper, title=paper.title, kind=Publication.Kind.PREPRINT, year=1949
    )
    url = change_url(paper)
    mine, theirs = both_open(me, marie, paper, PUBLICATION_FORM)
    theirs["versions-0-venue"] = ["arXiv"]
    assert marie.post(url, theirs).status_code == 302

    mine["title"] = ["Notes, revised"]
    response = me.post(url, mine)

    assert "Their changes are now in the form below: Other versions of this work." in (
        text_of(response)
    )
    assert me.post(url, form_data(response, PUBLICATION_FORM)).status_code == 302
    paper.refresh_from_db()
    assert paper.title == "Notes, revised"
    assert paper.versions.get().venue == "arXiv"
