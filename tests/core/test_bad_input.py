"""Public pages faced with bad, hostile or random query strings: a clear answer, never a 500."""

import re
from html import unescape
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from publications.models import Publication
from tests.pages import text_of

DIRECTORY = "/fr/"
PUBLICATIONS = "/fr/publications/"
TOPICS = "/fr/sujets/"
TOPIC = "/fr/sujets/apprentissage-par-renforcement/"
PROFILE = "/fr/chercheurs/razvan-pascanu/"
DEMO_PUBLICATIONS = 11
HEADINGS = {
    DIRECTORY: "Chercheurs",
    PUBLICATIONS: "Publications",
    TOPICS: "Sujets de recherche",
    TOPIC: "Apprentissage par renforcement",
    PROFILE: "Razvan Pascanu",
}
NOTICE = "Certains filtres n'ont pas pu être utilisés et ont été ignorés :"


def notice(response) -> list[str]:
    """The lines of the "filters ignored" notice, or [] when there is none."""
    html = unescape(response.content.decode())
    if NOTICE not in html:
        return []
    box = html.split('class="notice notice--warning"')[1].split("</div>")[0]
    return [" ".join(line.split()) for line in re.findall(r"<li>(.*?)</li>", box, re.S)]


def result_count(response) -> str:
    match = re.search(
        r'<p class="result-count" role="status">([^<]+)</p>', response.content.decode()
    )
    return " ".join(match.group(1).split())


@pytest.fixture
def visitor(client):
    """A client that answers a server error with its status code instead of raising it."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def publication_url(demo) -> str:
    return Publication.objects.get(arxiv_id="2406.08423").get_absolute_url()


# Unknown values


def test_directory_names_an_unknown_topic_and_ignores_it(visitor, demo):
    response = visitor.get(DIRECTORY, {"topic": ["nowhere", "apprentissage-profond"]})

    assert response.status_code == 200
    assert notice(response) == ["Sujets de recherche : « nowhere » est inconnu."]
    assert result_count(response) == "1 chercheur"


def test_publication_list_names_an_unknown_topic_and_ignores_it(visitor, demo):
    response = visitor.get(PUBLICATIONS, {"topic": "nowhere"})

    assert response.status_code == 200
    assert notice(response) == ["Sujets de recherche : « nowhere » est inconnu."]
    assert result_count(response) == f"{DEMO_PUBLICATIONS} publications"


def test_publication_list_names_an_unknown_researcher_and_ignores_it(visitor, demo):
    response = visitor.get(PUBLICATIONS, {"researcher": "nobody-here"})

    assert response.status_code == 200
    assert result_count(response) == f"{DEMO_PUBLICATIONS} publications"
    assert notice(response) == ["Chercheur : « nobody-here » est inconnu."]


def test_profile_names_a_topic_that_is_not_the_owner_and_shows_everything(visitor, demo):
    response = visitor.get(PROFILE, {"topic": "nowhere"})

    assert response.status_code == 200
    assert notice(response) == [
        "« nowhere » ne fait pas partie des sujets de ce chercheur : "
        "toutes ses publications sont affichées."
    ]
    assert result_count(response) == f"{DEMO_PUBLICATIONS} publications"


@pytest.mark.parametrize(
    "path",
    [
        "/fr/chercheurs/nobody-here/",
        "/fr/sujets/nowhere/",
        "/fr/publications/999999/",
        "/fr/publications/99999999999999999999/",
        "/fr/chercheurs/razvan%00pascanu/",
    ],
)
def test_unknown_pages_are_not_found(visitor, demo, path):
    response = visitor.get(path)

    assert response.status_code == 404
    assert "Page introuvable" in text_of(response)


# Bad values for the filters


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year_from": "abc"}, "À partir de l'année : Saisissez un nombre."),
        (
            {"year_to": "99999999999999999999"},
            "Jusqu'à l'année : Assurez-vous que cette valeur est inférieure ou égale à 2100.",
        ),
        (
            {"year_from": "-5"},
            "À partir de l'année : Assurez-vous que cette valeur est supérieure ou égale à 1900.",
        ),
        (
            {"sort": "bogus"},
            "Trier par : Sélectionnez un choix valide. bogus n’en fait pas partie.",
        ),
        ({"kind": "bogus"}, "Type : Sélectionnez un choix valide. bogus n’en fait pas partie."),
        (
            {"q": "x" * 10_000},
            "Rechercher : Assurez-vous que cette valeur comporte au plus 200 caractères "
            "(actuellement 10000).",
        ),
        ({"q": "linear\x00"}, "Rechercher : Le caractère nul n’est pas autorisé."),
    ],
)
def test_publication_list_reports_a_bad_value_and_lists_everything(visitor, demo, params, message):
    response = visitor.get(PUBLICATIONS, params)

    assert response.status_code == 200
    assert notice(response) == [message]
    assert result_count(response) == f"{DEMO_PUBLICATIONS} publications"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"membership": "bogus"},
            "Statut de membre : Sélectionnez un choix valide. bogus n’en fait pas partie.",
        ),
        (
            {"q": "x" * 10_000},
            "Nom : Assurez-vous que cette valeur comporte au plus 200 caractères "
            "(actuellement 10000).",
        ),
        ({"q": "pascanu\x00"}, "Nom : Le caractère nul n’est pas autorisé."),
    ],
)
def test_directory_reports_a_bad_value_and_lists_everyone(visitor, demo, params, message):
    response = visitor.get(DIRECTORY, params)

    assert response.status_code == 200
    assert notice(response) == [message]
    assert result_count(response) == "1 chercheur"


def test_several_bad_values_give_one_line_each(visitor, demo):
    params = {"year_from": "abc", "kind": "bogus", "sort": "bogus", "topic": "nowhere"}

    response = visitor.get(PUBLICATIONS, params)

    assert response.status_code == 200
    assert len(notice(response)) == 4
    assert result_count(response) == f"{DEMO_PUBLICATIONS} publications"


@pytest.mark.parametrize("path", [DIRECTORY, PUBLICATIONS])
def test_a_nul_character_in_a_topic_is_reported(visitor, demo, path):
    response = visitor.get(path, {"topic": "apprentissage\x00profond"})

    assert response.status_code == 200
    assert len(notice(response)) == 1
    assert "est inconnu" in notice(response)[0]


def test_a_nul_character_in_the_researcher_is_reported(visitor, demo):
    response = visitor.get(PUBLICATIONS, {"researcher": "razvan-pascanu\x00"})

    assert response.status_code == 200
    assert len(notice(response)) == 1
    assert notice(response)[0].startswith("Chercheur : ")
    assert result_count(response) == f"{DEMO_PUBLICATIONS} publications"


def test_a_nul_character_in_the_profile_topic_is_reported(visitor, demo):
    response = visitor.get(PROFILE, {"topic": "optimisation\x00"})

    assert response.status_code == 200
    assert len(notice(response)) == 1
    assert result_count(response) == f"{DEMO_PUBLICATIONS} publications"


# Page numbers


@pytest.mark.parametrize("page", ["-1", "0", "99999", "abc", "1.5", "99999999999999999999999"])
@pytest.mark.parametrize(
    ("path", "expected_count"),
    [
        (DIRECTORY, "1 chercheur"),
        (PUBLICATIONS, f"{DEMO_PUBLICATIONS} publications"),
        (PROFILE, f"{DEMO_PUBLICATIONS} publications"),
    ],
)
def test_a_bad_page_number_still_shows_a_page_of_results(visitor, demo, path, expected_count, page):
    response = visitor.get(path, {"page": page})

    assert response.status_code == 200
    assert result_count(response) == expected_count
    assert "Razvan Pascanu" in text_of(response)


# Odd query strings


def test_repeated_parameters_use_the_last_value_of_single_filters(visitor, demo):
    response = visitor.get(DIRECTORY, {"q": ["nobody", "pascanu"]})
    assert response.status_code == 200
    assert result_count(response) == "1 chercheur"

    response = visitor.get(PUBLICATIONS, {"year_from": ["abc", "2024"], "sort": ["x", "oldest"]})
    assert response.status_code == 200
    assert notice(response) == []


def test_repeated_values_of_a_multiple_filter_count_once(visitor, demo):
    response = visitor.get(PUBLICATIONS, {"kind": ["preprint", "preprint"]})
    once = visitor.get(PUBLICATIONS, {"kind": "preprint"})

    assert response.status_code == 200
    assert result_count(response) == result_count(once)


@pytest.mark.parametrize("path", [DIRECTORY, PUBLICATIONS, TOPICS, TOPIC, PROFILE])
def test_unknown_parameters_are_ignored_silently(visitor, demo, path):
    plain = visitor.get(path)
    response = visitor.get(path, {"utm_source": "newsletter", "fbclid": "x" * 500, "": "empty"})

    assert response.status_code == 200
    assert notice(response) == []
    assert text_of(response) == text_of(plain)


def test_publication_page_ignores_any_query_string(visitor, publication_url):
    plain = visitor.get(publication_url)
    response = visitor.get(publication_url, QUERY_STRING="topic=%00&page=-1&q=%ff%fe")

    assert response.status_code == 200
    assert text_of(response) == text_of(plain)


@pytest.mark.parametrize("query_string", ["q=%ff%fe", "q=\xff\xfe", "topic=%c3%28", "%ff=%ff"])
@pytest.mark.parametrize("path", [DIRECTORY, PUBLICATIONS, TOPICS, TOPIC, PROFILE])
def test_invalid_utf8_in_the_query_string_is_not_an_error(visitor, demo, path, query_string):
    response = visitor.get(path, QUERY_STRING=query_string)

    assert response.status_code == 200
    assert re.search(rf"<h1[^>]*>{HEADINGS[path]}</h1>", response.content.decode())


# Random query strings

KNOWN_NAMES = ["q", "topic", "year_from", "year_to", "kind", "researcher", "sort", "page"]
KNOWN_VALUES = [
    "razvan-pascanu",
    "apprentissage-profond",
    "optimisation",
    "reseaux-de-neurones-recurrents",
    "core_academic",
    "affiliate",
    "preprint",
    "inproceedings",
    "newest",
    "oldest",
    "title",
    "2023",
    "pascanu",
    "Pióro",
]
names = st.one_of(st.sampled_from([*KNOWN_NAMES, "membership"]), st.text(max_size=20))
values = st.one_of(
    st.text(),
    st.integers().map(str),
    st.sampled_from(KNOWN_VALUES),
    st.binary(max_size=20),  # percent-encoded as they are: often invalid UTF-8
)
query_strings = st.lists(st.tuples(names, values), max_size=12).map(
    lambda pairs: urlencode(pairs, doseq=True)
)
FUZZ = settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _assert_answers(visitor, path: str, query_string: str) -> None:
    response = visitor.get(path, QUERY_STRING=query_string)
    assert response.status_code < 500, f"{path}?{query_string}"


@FUZZ
@given(query_string=query_strings)
@example(query_string="topic=%00")
def test_random_query_strings_on_the_directory(visitor, demo, query_string):
    _assert_answers(visitor, DIRECTORY, query_string)


@FUZZ
@given(query_string=query_strings)
@example(query_string="topic=%00")
def test_random_query_strings_on_the_publication_list(visitor, demo, query_string):
    _assert_answers(visitor, PUBLICATIONS, query_string)


@FUZZ
@given(query_string=query_strings)
def test_random_query_strings_on_the_topic_index(visitor, demo, query_string):
    _assert_answers(visitor, TOPICS, query_string)


@FUZZ
@given(query_string=query_strings)
def test_random_query_strings_on_a_topic_page(visitor, demo, query_string):
    _assert_answers(visitor, TOPIC, query_string)


@FUZZ
@given(query_string=query_strings)
@example(query_string="topic=%00")
def test_random_query_strings_on_a_profile(visitor, demo, query_string):
    _assert_answers(visitor, PROFILE, query_string)
