"""Supervisions curated on a researcher's admin form: whom they supervise, who supervises them,
with the database's rules as messages beside the rows, and kept in the researcher's history."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from profiles.models import Supervision
from tests.editorial.editing import change_url, history_url
from tests.factories import ResearcherFactory
from tests.pages import form_data, text_of

pytestmark = pytest.mark.django_db

FORM = "researcher_form"
ROW_FIELDS = ("role", "degree", "start_year", "end_year")


@pytest.fixture
def second_editor(django_user_model) -> Client:
    user = django_user_model.objects.create_user(
        username="marie", password="another good passphrase", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ada():
    return ResearcherFactory(given_name="Ada", family_name="Lovelace", slug="ada-lovelace")


@pytest.fixture
def grace():
    return ResearcherFactory(given_name="Grace", family_name="Hopper", slug="grace-hopper")


def with_row(data: dict, prefix: str, other_field: str, other, **values) -> dict:
    """``data`` with one more row in the inline ``prefix`` ("supervisions": whom the researcher
    supervises; "supervised_by": who supervises them), as an editor fills it."""
    data = {name: list(value) for name, value in data.items()}
    index = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data[f"{prefix}-TOTAL_FORMS"] = [str(index + 1)]
    row = {"id": "", other_field: str(other.pk), "role": "principal", "degree": "phd"}
    row.update({"start_year": "2021", "end_year": ""})
    row.update({name: str(value) for name, value in values.items()})
    for name, value in row.items():
        data[f"{prefix}-{index}-{name}"] = [value]
    return data


def save(client, researcher, data: dict):
    return client.post(change_url(researcher), data, HTTP_ACCEPT_LANGUAGE="en")


def open_form(client, researcher) -> dict:
    response = client.get(change_url(researcher), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return form_data(response, FORM)


def test_the_form_shows_both_ways_with_the_other_researcher_found_by_name(
    editor_client, ada, grace
):
    Supervision.objects.create(supervisor=ada, student=grace, degree="phd", start_year=2019)

    response = editor_client.get(change_url(ada), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Supervises" in text_of(response)
    assert "Supervised by" in text_of(response)
    # The other researcher is chosen with the admin's autocomplete, not a list of everyone.
    assert 'name="supervisions-0-student"' in html
    assert 'data-model-name="researcher"' in html
    assert "admin-autocomplete" in html
    assert 'name="supervised_by-TOTAL_FORMS"' in html
    french = editor_client.get(change_url(ada), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Encadre" in text_of(french)
    assert "Encadré par" in text_of(french)


def test_the_autocomplete_finds_the_other_researcher(editor_client, ada, grace):
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "hopp",
            "app_label": "profiles",
            "model_name": "supervision",
            "field_name": "student",
        },
    )

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Grace Hopper"]


def test_an_editor_records_whom_a_researcher_supervises(editor_client, ada, grace):
    data = with_row(open_form(editor_client, ada), "supervisions", "student", grace, role="co")

    response = save(editor_client, ada, data)

    assert response.status_code == 302
    assert list(
        Supervision.objects.values_list("supervisor", "student", "role", "degree", "start_year")
    ) == [(ada.pk, grace.pk, "co", "phd", 2021)]


def test_an_editor_records_who_supervises_a_researcher(editor_client, ada, grace):
    data = with_row(
        open_form(editor_client, grace),
        "supervised_by",
        "supervisor",
        ada,
        degree="msc",
        start_year=2017,
        end_year=2019,
    )

    response = save(editor_client, grace, data)

    assert response.status_code == 302
    supervision = Supervision.objects.get()
    assert (supervision.supervisor, supervision.student) == (ada, grace)
    assert (supervision.degree, supervision.end_year) == ("msc", 2019)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"start_year": 2022, "end_year": 2020}, "The supervision cannot end before it starts."),
        ({"start_year": 1850}, "Ensure this value is greater than or equal to 1900."),
        ({"start_year": "twenty"}, "Enter a whole number."),
        ({"degree": "bsc"}, "Select a valid choice. bsc is not one of the available choices."),
    ],
)
def test_a_wrong_row_is_named_and_nothing_is_saved(editor_client, ada, grace, values, message):
    data = with_row(open_form(editor_client, ada), "supervisions", "student", grace, **values)

    response = save(editor_client, ada, data)

    assert response.status_code == 200
    assert message in text_of(response)
    assert not Supervision.objects.exists()


def test_a_researcher_cannot_supervise_themselves(editor_client, ada):
    data = with_row(open_form(editor_client, ada), "supervisions", "student", ada)

    response = save(editor_client, ada, data)

    assert response.status_code == 200
    assert "A researcher cannot supervise themselves." in text_of(response)
    assert not Supervision.objects.exists()


def test_a_supervision_recorded_from_the_other_side_is_not_recorded_twice(
    editor_client, ada, grace
):
    Supervision.objects.create(supervisor=ada, student=grace, degree="phd", start_year=2019)
    data = with_row(open_form(editor_client, grace), "supervised_by", "supervisor", ada)

    response = save(editor_client, grace, data)

    assert response.status_code == 200
    assert "This supervision is already recorded." in text_of(response)
    assert Supervision.objects.count() == 1


def test_a_row_given_twice_in_one_save_is_named(editor_client, ada, grace):
    data = with_row(open_form(editor_client, ada), "supervisions", "student", grace)
    data = with_row(data, "supervisions", "student", grace, role="co", start_year=2020)

    response = save(editor_client, ada, data)

    assert response.status_code == 200
    assert "This supervision is listed twice." in text_of(response)
    assert not Supervision.objects.exists()


def test_the_same_student_for_another_degree_is_a_new_supervision(editor_client, ada, grace):
    Supervision.objects.create(
        supervisor=ada, student=grace, degree="msc", start_year=2017, end_year=2019
    )
    data = with_row(open_form(editor_client, ada), "supervisions", "student", grace)

    assert save(editor_client, ada, data).status_code == 302

    assert sorted(Supervision.objects.values_list("degree", flat=True)) == ["msc", "phd"]


def test_a_deleted_row_is_removed(editor_client, ada, grace):
    Supervision.objects.create(supervisor=ada, student=grace, degree="phd", start_year=2019)
    data = open_form(editor_client, grace)
    data["supervised_by-0-DELETE"] = ["on"]

    assert save(editor_client, grace, data).status_code == 302

    assert not Supervision.objects.exists()


# History -------------------------------------------------------------------------------------


def test_the_researchers_history_keeps_their_supervisions_both_ways(editor_client, ada, grace):
    lin = ResearcherFactory(given_name="Lin", family_name="Chen")
    Supervision.objects.create(supervisor=lin, student=ada, degree="msc", start_year=2010)
    data = with_row(open_form(editor_client, ada), "supervisions", "student", grace)
    assert save(editor_client, ada, data).status_code == 302

    version = Version.objects.get_for_object(ada).get()
    kept = version.revision.version_set.filter(content_type__model="supervision")

    assert sorted(v.object_repr for v in kept) == [
        "Ada Lovelace supervises Grace Hopper (PhD)",
        "Lin Chen supervises Ada Lovelace (MSc)",
    ]


def test_a_removed_supervision_comes_back_when_the_researcher_is_reverted(
    editor_client, ada, grace
):
    data = with_row(open_form(editor_client, ada), "supervisions", "student", grace)
    assert save(editor_client, ada, data).status_code == 302
    data = open_form(editor_client, ada)
    data["supervisions-0-DELETE"] = ["on"]
    assert save(editor_client, ada, data).status_code == 302
    assert not Supervision.objects.exists()

    first = Version.objects.get_for_object(ada).order_by("pk").first()
    revert_url = reverse("admin:profiles_researcher_revision", args=[ada.pk, first.pk])
    response = editor_client.post(revert_url, open_form_at(editor_client, revert_url))

    assert response.status_code == 302
    assert list(Supervision.objects.values_list("supervisor", "student", "degree")) == [
        (ada.pk, grace.pk, "phd")
    ]


def open_form_at(client, url: str) -> dict:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return form_data(response, FORM)


def test_the_comparison_lists_the_supervisions_once(editor_client, ada, grace):
    changed = open_form(editor_client, ada) | {"organization": ["Mila"]}
    assert save(editor_client, ada, changed).status_code == 302
    data = with_row(open_form(editor_client, ada), "supervisions", "student", grace)
    assert save(editor_client, ada, data).status_code == 302
    older, newer = Version.objects.get_for_object(ada).order_by("pk")

    response = editor_client.get(
        reverse("admin:profiles_researcher_compare", args=[ada.pk]),
        {"from": older.pk, "to": newer.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    # One list, though the researcher is related to supervisions twice (as each side).
    assert text_of(response).count("Supervisions") == 1
    assert "Supervisions Ada Lovelace supervises Grace Hopper (PhD)" in text_of(response)
    assert editor_client.get(history_url(ada)).status_code == 200


# Two editors at once ---------------------------------------------------------------------------


def test_two_editors_changing_each_list_keep_both_changes(editor_client, second_editor, ada, grace):
    lin = ResearcherFactory(given_name="Lin", family_name="Chen")
    mine = with_row(open_form(editor_client, ada), "supervisions", "student", grace)
    theirs = with_row(open_form(second_editor, ada), "supervised_by", "supervisor", lin)
    assert save(second_editor, ada, theirs).status_code == 302

    refused = save(editor_client, ada, mine)
    assert refused.status_code == 200  # shown merged with the other editor's save
    again = save(editor_client, ada, form_data(refused, FORM))

    assert again.status_code == 302
    assert sorted(Supervision.objects.values_list("supervisor", "student")) == sorted(
        [(ada.pk, grace.pk), (lin.pk, ada.pk)]
    )
