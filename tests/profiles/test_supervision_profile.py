"""Supervision on profiles: whom a researcher supervises, now and before, and who supervises them,
as plain values read in one query per change of the data, and as the profile shows them."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from profiles.models import Researcher, Supervision
from profiles.selectors import SupervisionEntry, researcher_supervision, supervision_years
from tests.factories import ResearcherFactory
from tests.pages import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    """Ada supervises Grace (PhD, ongoing, co-supervisor) and supervised Lin (MSc, 2017-2019);
    Alan supervises Ada's postdoc; Eve, whose profile is a draft, is Ada's student too."""
    people = {
        slug: ResearcherFactory(given_name=given, family_name=family, slug=slug)
        for slug, given, family in [
            ("ada-lovelace", "Ada", "Lovelace"),
            ("grace-hopper", "Grace", "Hopper"),
            ("lin-chen", "Lin", "Chen"),
            ("alan-turing", "Alan", "Turing"),
        ]
    }
    people["eve"] = ResearcherFactory(given_name="Eve", family_name="Draft", is_published=False)
    ada = people["ada-lovelace"]
    rows = [
        (ada, people["grace-hopper"], "co", "phd", 2021, None),
        (ada, people["lin-chen"], "principal", "msc", 2017, 2019),
        (people["alan-turing"], ada, "principal", "postdoc", 2015, 2016),
        (ada, people["eve"], "principal", "phd", 2022, None),
    ]
    for supervisor, student, role, degree, start, end in rows:
        Supervision.objects.create(
            supervisor=supervisor,
            student=student,
            role=role,
            degree=degree,
            start_year=start,
            end_year=end,
        )
    return people


def entry(name: str, slug: str, role: str, degree: str, years: str, lang: str = "fr"):
    prefix = "/fr/chercheurs/" if lang == "fr" else "/en/researchers/"
    return SupervisionEntry(name, f"{prefix}{slug}/", role, degree, years)


def test_the_supervisor_sees_current_and_former_students_and_their_own_supervisors(lab):
    with translation.override("en"):
        supervision = researcher_supervision(researcher=lab["ada-lovelace"])

    assert supervision.current_students == [
        entry("Grace Hopper", "grace-hopper", "co-supervisor", "PhD", "2021–", "en")
    ]
    assert supervision.former_students == [
        entry("Lin Chen", "lin-chen", "principal supervisor", "MSc", "2017–2019", "en")
    ]
    assert supervision.supervisors == [
        entry("Alan Turing", "alan-turing", "principal supervisor", "postdoc", "2015–2016", "en")
    ]


def test_the_student_sees_their_supervisor(lab):
    supervision = researcher_supervision(researcher=lab["grace-hopper"])

    assert supervision.students == []
    assert supervision.current_supervisors == [
        entry("Ada Lovelace", "ada-lovelace", "codirection", "doctorat", "2021–")
    ]
    assert bool(supervision)


def test_a_researcher_whose_profile_is_a_draft_is_not_named(lab):
    """Visitors do not see drafts: nor their name on someone else's profile."""
    names = [e.name for e in researcher_supervision(researcher=lab["ada-lovelace"]).students]

    assert "Eve Draft" not in names
    # Her own profile, which only editors preview, names her published supervisor.
    assert [e.name for e in researcher_supervision(researcher=lab["eve"]).supervisors] == [
        "Ada Lovelace"
    ]
    assert not researcher_supervision(researcher=ResearcherFactory())


def test_current_supervisions_come_first_the_latest_started_first(lab):
    ada = lab["ada-lovelace"]
    newer = ResearcherFactory(given_name="Zoe", family_name="New", slug="zoe-new")
    Supervision.objects.create(supervisor=ada, student=newer, degree="msc", start_year=2024)
    older = ResearcherFactory(given_name="Bob", family_name="Old", slug="bob-old")
    Supervision.objects.create(
        supervisor=ada, student=older, degree="phd", start_year=2010, end_year=2015
    )

    supervision = researcher_supervision(researcher=ada)

    assert [e.name for e in supervision.current_students] == ["Zoe New", "Grace Hopper"]
    assert [e.name for e in supervision.former_students] == ["Lin Chen", "Bob Old"]


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [(2021, None, "2021–"), (2019, 2023, "2019–2023"), (2022, 2022, "2022")],
)
def test_years_read_as_a_span(start, end, years):
    assert supervision_years(start, end) == years


def test_read_in_one_query_once_per_change_of_the_data_in_both_languages(
    lab, django_assert_num_queries
):
    ada = lab["ada-lovelace"]
    with django_assert_num_queries(1):
        french = researcher_supervision(researcher=ada)
    with django_assert_num_queries(0), translation.override("en"):
        english = researcher_supervision(researcher=ada)

    assert french.current_students[0].role == "codirection"
    assert english.current_students[0].role == "co-supervisor"
    assert english.current_students[0].url == "/en/researchers/grace-hopper/"

    Supervision.objects.filter(student=lab["lin-chen"]).update(end_year=2020)  # no signal
    Supervision.objects.get(student=lab["grace-hopper"]).delete()  # moves the generation
    with django_assert_num_queries(1):
        after = researcher_supervision(researcher=ada)
    assert after.current_students == []
    assert after.former_students[0].years == "2017–2020"


# The include --------------------------------------------------------------------------------


def render(researcher: Researcher, language: str) -> str:
    with translation.override(language):
        supervision = researcher_supervision(researcher=researcher)
        return " ".join(
            render_to_string(
                "profiles/includes/supervision.html", {"supervision": supervision}
            ).split()
        )


def test_the_include_shows_the_supervisors_side_in_both_languages(lab):
    english = render(lab["ada-lovelace"], "en")
    french = render(lab["ada-lovelace"], "fr")

    assert '<h2 id="supervision-heading">Supervision</h2>' in english
    assert "Current students" in english
    assert '<a href="/en/researchers/grace-hopper/">Grace Hopper</a>' in english
    assert "PhD, co-supervisor, 2021–" in english
    assert "Former students" in english
    assert "MSc, principal supervisor, 2017–2019" in english
    assert "Supervisors" in english
    assert "Eve" not in english

    assert '<h2 id="supervision-heading">Encadrement</h2>' in french
    assert "Étudiants actuels" in french
    assert "Anciens étudiants" in french
    assert "Directeurs de recherche" in french
    assert '<a href="/fr/chercheurs/grace-hopper/">Grace Hopper</a>' in french
    assert "doctorat, codirection, 2021–" in french


def test_the_include_shows_the_students_side(lab):
    english = render(lab["grace-hopper"], "en")

    assert "Supervisors" in english
    assert '<a href="/en/researchers/ada-lovelace/">Ada Lovelace</a>' in english
    assert "Current students" not in english
    assert "Former students" not in english


def test_the_include_shows_nothing_without_supervision(db):
    assert render(ResearcherFactory(), "en") == ""


# The profile page ------------------------------------------------------------------------------


def test_the_profile_shows_both_sides_and_follows_an_edit(client, lab):
    ada, grace = lab["ada-lovelace"], lab["grace-hopper"]
    with translation.override("en"):
        ada_url, grace_url = ada.get_absolute_url(), grace.get_absolute_url()

    assert "Current students" in text_of(client.get(ada_url))
    assert "Supervisors Ada Lovelace PhD, co-supervisor, 2021–" in text_of(client.get(grace_url))

    # The pages are cached: an edit of a supervision moves the generation.
    supervision = Supervision.objects.get(student=grace)
    supervision.end_year = 2024
    supervision.save()

    assert "Former students Grace Hopper PhD, co-supervisor, 2021–2024" in text_of(
        client.get(ada_url)
    )
    assert "2021–2024" in text_of(client.get(grace_url))


def _profile_queries(client, count: int) -> int:
    owner = ResearcherFactory(slug=f"owner-{count}")
    students = Researcher.objects.bulk_create(
        Researcher(given_name="Student", family_name=f"N{n}", slug=f"s{count}-{n}")
        for n in range(count)
    )
    Supervision.objects.bulk_create(
        Supervision(supervisor=owner, student=student, degree="phd", start_year=2020)
        for student in students
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(owner.get_absolute_url())
    assert response.status_code == 200
    assert f"Student N{count - 1}" in text_of(response)
    return len(queries)


def test_the_profile_costs_the_same_queries_for_5_or_300_students(client):
    assert _profile_queries(client, 5) == _profile_queries(client, 300)
