"""Reading BibTeX: LaTeX to Unicode, names, every field of an entry, what is left out and why."""

from pathlib import Path

import pytest
from django.utils import translation

from publications.bibtex import (
    BibtexFileError,
    ParsedAuthor,
    decode_bibtex_file,
    parse_authors,
    parse_bibtex,
    parse_name,
)
from publications.latex import latex_to_text
from publications.models import Publication

FIXTURES = Path(__file__).parent / "fixtures"
Kind = Publication.Kind


@pytest.fixture(autouse=True)
def _english():
    """The messages below are checked in English; their French versions are in the catalogue."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def hard_cases():
    result = parse_bibtex((FIXTURES / "hard_cases.bib").read_text(encoding="utf-8"))
    assert result.problems == []
    return {entry.key: entry for entry in result.entries}


@pytest.fixture(scope="module")
def complete():
    result = parse_bibtex((FIXTURES / "complete.bib").read_text(encoding="utf-8"))
    assert result.problems == []
    assert result.warnings == []
    return {entry.key: entry for entry in result.entries}


def parse_one(text: str):
    """The single entry of ``text``, which must be read without problems."""
    result = parse_bibtex(text)
    assert result.problems == []
    [entry] = result.entries
    return entry


# LaTeX ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Pi{\'o}ro", "Pióro"),
        (r"Pi\'{o}ro", "Pióro"),
        (r"Pi\'oro", "Pióro"),
        (r"\v{C}ech", "Čech"),
        (r"{\v C}ech", "Čech"),
        (r"D{\'\i}az", "Díaz"),
        (r"Stra{\ss}e", "Straße"),
        (r"{\o}re and {\O}stergaard", "øre and Østergaard"),
        (r"{\L}ukasiewicz and Wo{\l}czyk", "Łukasiewicz and Wołczyk"),
        (r"Fran\c{c}ois", "François"),
        (r"M{\"u}ller", "Müller"),
        (r"Jo{\~a}o", "João"),
        (r"pages 1--10", "pages 1–10"),
        (r"a---b", "a—b"),
        (r"ICML~2023", "ICML 2023"),
        (r"{DNA} and {{RNA}}", "DNA and RNA"),
        (r"\textit{self-guided training}", "self-guided training"),
        (r"\emph{emphasis} and \textbf{bold}", "emphasis and bold"),
        (r"$\alpha$-stable $O(n^2)$", "α-stable O(n^2)"),
        ("50% of cases", "50% of cases"),
        (r"50\% of cases", "50% of cases"),
        ("plain text, no markup", "plain text, no markup"),
        ("an unbalanced {brace", "an unbalanced brace"),
    ],
)
def test_latex_becomes_unicode(latex, text):
    assert latex_to_text(latex) == text


def test_no_latex_or_brace_survives_in_titles_names_venues_abstracts(hard_cases):
    for entry in hard_cases.values():
        texts = [entry.title, entry.venue, entry.abstract, *(a.display_name for a in entry.authors)]
        for text in texts:
            assert "\\" not in text
            assert "{" not in text
            assert "}" not in text
            assert "$" not in text


def test_every_text_field_is_converted_from_latex():
    entry = parse_one(r"""
        @book{lemaitre1931,
          author    = {Lema{\^\i}tre, Georges},
          title     = {L'{\'E}volution de l'univers},
          subtitle  = {{\'E}tudes \emph{choisies}},
          publisher = {Gauthier-Villars \& Cie},
          address   = {Li{\`e}ge},
          series    = {{\'E}tudes},
          edition   = {2\textsuperscript{e}},
          note      = {Traduit de l'anglais~--- premi{\`e}re {\'e}dition},
          year      = {1931},
        }""")

    assert entry.title == "L'Évolution de l'univers: Études choisies"
    assert entry.authors[0].display_name == "Georges Lemaître"
    assert entry.publisher == "Gauthier-Villars & Cie"
    assert entry.address == "Liège"
    assert entry.series == "Études"
    assert entry.note == "Traduit de l'anglais — première édition"


# Macros --------------------------------------------------------------------------------------


def test_string_macros_joined_with_hash_are_resolved(complete):
    hairer = complete["hairer1993"]

    assert hairer.publisher == "Springer-Verlag and Birkhäuser"
    assert hairer.address == "Berlin, Germany"
    assert hairer.month == 1


def test_macros_refer_to_earlier_macros_and_may_be_redefined():
    result = parse_bibtex(r"""
        @string{acm = "ACM"}
        @string{acm-press = acm # " Press"}
        @article{one, title = {One}, year = 2020, journal = acm-press # {, New York}}
        @string{ACM = "Association for Computing Machinery"}
        @article{two, title = {Two}, year = 2021, journal = acm}
    """)

    assert [entry.venue for entry in result.entries] == [
        "ACM Press, New York",
        "Association for Computing Machinery",
    ]


def test_an_undefined_macro_is_kept_as_its_name():
    entry = parse_one("""
        @article{ieee, title = {Undefined macros}, year = 2019,
          journal = IEEE_J_PAMI, address = NY # ", USA"}""")

    assert entry.venue == "IEEE_J_PAMI"
    assert entry.address == "NY, USA"
    assert entry.warnings == []


def test_a_hash_inside_braces_or_quotes_is_text():
    entry = parse_one(r"""
        @misc{sharp, title = {Programming in C\#}, howpublished = "Issue #3 of " # {News #5},
          year = 2020}""")

    assert entry.title == "Programming in C#"
    assert entry.venue == "Issue #3 of News #5"


# Dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "month", "day"),
    [
        ("year = 2023, month = jul", 7, None),
        ("year = 2023, month = JUL", 7, None),
        ("year = 2023, month = {July}", 7, None),
        ("year = 2023, month = {Jul.}", 7, None),
        ("year = 2023, month = {Sept.}", 9, None),
        ("year = 2023, month = {7}", 7, None),
        ("year = 2023, month = {07}", 7, None),
        ("year = 2023, month = 12", 12, None),
        ('year = 2023, month = jul # "~15"', 7, 15),
        ("year = 2023, month = {15 July}", 7, 15),
        ("date = {2023-07-15}", 7, 15),
        ("date = {2023-07}", 7, None),
        ("date = {2023}", None, None),
        ("date = {2023-07-15/2023-07-20}", 7, 15),
        ("year = 2023, date = {2023-07-15}", 7, 15),
        ("year = 2023", None, None),
    ],
)
def test_month_and_day(fields, month, day):
    entry = parse_one(f"@inproceedings{{k, title = {{T}}, {fields}}}")

    assert (entry.year, entry.month, entry.day) == (2023, month, day)
    assert entry.warnings == []


@pytest.mark.parametrize(
    ("fields", "warning", "month"),
    [
        ("month = {Julember}", "month “Julember” was left out: it is not a month", None),
        ("month = {13}", "month “13” was left out: it is not a month", None),
        ("month = {Summer}", "month “Summer” was left out: it is not a month", None),
        ("month = {July--August}", "month “July–August” was left out: it is not a month", None),
        ("date = {2023-13-01}", "date “2023-13-01” was left out: it is not a month", None),
        ("date = {2023-02-30}", "date “2023-02-30” was left out: it is not a day of that month", 2),
    ],
)
def test_an_unreadable_month_or_day_is_left_out_with_a_warning(fields, warning, month):
    result = parse_bibtex(f"@article{{k, title = {{T}}, year = {{2023}}, {fields}}}")

    [entry] = result.entries
    assert (entry.year, entry.month, entry.day) == (2023, month, None)
    assert entry.warnings == [warning]
    assert [(w.key, w.line, w.message) for w in result.warnings] == [("k", 1, warning)]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("year = {1492}", "its year 1492 is not between 1900 and 2100"),
        ("year = {2150}", "its year 2150 is not between 1900 and 2100"),
        ("year = {soon}", "its year “soon” cannot be read"),
        ("date = {in press}", "its year “in press” cannot be read"),
        ("month = jul", "it has no year"),
    ],
)
def test_an_entry_without_a_usable_year_is_refused(fields, message):
    result = parse_bibtex(f"@article{{k, title={{T}}, author={{A B}}, {fields}}}")

    assert result.entries == []
    assert [(p.key, p.line, p.message) for p in result.problems] == [("k", 1, message)]


def test_a_year_with_a_letter_is_read():
    assert parse_one("@article{k, title = {T}, year = {2021a}}").year == 2021


# Titles --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "title"),
    [
        ("title = {Deep Learning}, subtitle = {A Survey}", "Deep Learning: A Survey"),
        ("title = {Deep Learning:}, subtitle = {A Survey}", "Deep Learning: A Survey"),
        ("title = {Why Deep Learning?}, subtitle = {A Survey}", "Why Deep Learning? A Survey"),
        ("title = {Deep Learning!}, subtitle = {A Survey}", "Deep Learning! A Survey"),
        ("title = {Deep Learning}, titleaddon = {(extended version)}", "Deep Learning"),
        ("title = {Deep Learning}, subtitle = {}", "Deep Learning"),
    ],
)
def test_the_subtitle_follows_the_title(fields, title):
    assert parse_one(f"@book{{k, {fields}, year = 2016}}").title == title


def test_an_entry_without_a_title_is_refused():
    result = parse_bibtex("@book{k, subtitle = {Only a subtitle}, author = {A B}, year = 2016}")

    assert result.entries == []
    assert [(p.key, p.message) for p in result.problems] == [("k", "it has no title")]


# Entry types ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry_type", "kind"),
    [
        ("article", Kind.JOURNAL_ARTICLE),
        ("inproceedings", Kind.CONFERENCE_PAPER),
        ("conference", Kind.CONFERENCE_PAPER),
        ("book", Kind.BOOK),
        ("proceedings", Kind.BOOK),
        ("collection", Kind.BOOK),
        ("mvcollection", Kind.BOOK),
        ("mvbook", Kind.BOOK),
        ("mvproceedings", Kind.BOOK),
        ("inbook", Kind.BOOK_CHAPTER),
        ("incollection", Kind.BOOK_CHAPTER),
        ("bookinbook", Kind.BOOK_CHAPTER),
        ("phdthesis", Kind.THESIS),
        ("mastersthesis", Kind.THESIS),
        ("thesis", Kind.THESIS),
        ("techreport", Kind.REPORT),
        ("report", Kind.REPORT),
        ("manual", Kind.REPORT),
        ("unpublished", Kind.PREPRINT),
        ("misc", Kind.OTHER),
        ("online", Kind.OTHER),
        ("electronic", Kind.OTHER),
        ("www", Kind.OTHER),
        ("patent", Kind.OTHER),
        ("InProceedings", Kind.CONFERENCE_PAPER),
    ],
)
def test_entry_types_map_to_kinds(entry_type, kind):
    assert parse_one(f"@{entry_type}{{k, title = {{T}}, year = 2020}}").kind == kind


@pytest.mark.parametrize(
    ("entry_type", "venue"),
    [
        ("article", "Journal"),
        ("inproceedings", "Book title"),
        ("incollection", "Book title"),
        ("inbook", "Book title"),
        ("misc", "How published"),
        ("online", "How published"),
        ("unpublished", "How published"),
        ("book", ""),
        ("phdthesis", ""),
        ("techreport", ""),
        ("proceedings", ""),
    ],
)
def test_the_venue_comes_from_the_field_of_the_entry_type(entry_type, venue):
    entry = parse_one(f"""
        @{entry_type}{{k, title = {{T}}, year = 2020, journal = {{Journal}},
          booktitle = {{Book title}}, howpublished = {{How published}}}}""")

    assert entry.venue == venue


def test_a_biblatex_journaltitle_is_the_venue(complete):
    assert complete["king1963letter"].venue == "The Atlantic Monthly"


def test_the_number_of_an_article_is_its_issue_and_of_a_book_its_series_number(complete):
    article = parse_one("@article{k, title = {T}, year = 2020, volume = {12}, number = {3}}")

    assert (article.volume, article.issue, article.number) == ("12", "3", "")
    assert complete["king1963letter"].issue == "2"  # biblatex "issue"
    assert (complete["hairer1993"].series, complete["hairer1993"].number) == (
        "Springer Series in Computational Mathematics",
        "8",
    )


def test_book_thesis_report_and_manual_fields(complete):
    hairer = complete["hairer1993"]
    assert (hairer.kind, hairer.venue, hairer.edition) == (Kind.BOOK, "", "2nd")
    assert hairer.title == "Solving Ordinary Differential Equations I: Nonstiff Problems"
    assert hairer.doi == "10.1007/978-3-540-78862-1"

    thesis = complete["doe2019thesis"]
    assert thesis.kind == Kind.THESIS
    assert thesis.title == "Learning to Forget? Continual Learning without Replay"
    assert (thesis.institution, thesis.address) == ("Université de Montréal", "Montréal, Canada")
    assert (thesis.year, thesis.month) == (2019, 9)
    assert thesis.pdf_url == "https://papyrus.example.org/doe2019.pdf"

    report = complete["tr2020"]
    assert (report.kind, report.number, report.month) == (Kind.REPORT, "RR-9321", 11)
    assert report.institution == "Institut national de recherche en informatique et en automatique"

    manual = complete["numpy2023"]
    assert (manual.kind, manual.institution, manual.edition) == (
        Kind.REPORT,
        "NumPy Developers",
        "1.26",
    )
    assert manual.authors == []


def test_biblatex_location_is_the_address():
    entry = parse_one("@book{k, title = {T}, date = {2020}, location = {Paris}}")

    assert entry.address == "Paris"


def test_an_arxiv_preprint_journal_means_a_preprint_without_venue(hard_cases):
    soup = hard_cases["pioro2024state"]
    assert (soup.kind, soup.venue, soup.arxiv_id) == (Kind.PREPRINT, "", "2406.08423")
    assert (hard_cases["urlonly2021"].kind, hard_cases["urlonly2021"].arxiv_id) == (
        Kind.PREPRINT,
        "2101.00042",
    )


def test_a_corr_entry_is_a_preprint():
    entry = parse_one("""
        @article{DBLP:journals/corr/abs-2101-00042,
          author = {Jane Doe}, title = {A CoRR Paper}, journal = {CoRR},
          volume = {abs/2101.00042}, year = {2021}, eprinttype = {arXiv},
          eprint = {2101.00042}}""")

    assert (entry.kind, entry.venue, entry.volume, entry.arxiv_id) == (
        Kind.PREPRINT,
        "",
        "",
        "2101.00042",
    )


def test_an_article_published_in_a_journal_keeps_its_arxiv_id_and_kind(hard_cases):
    names = hard_cases["names2022"]

    assert (names.kind, names.venue, names.arxiv_id) == (
        Kind.JOURNAL_ARTICLE,
        "Journal of Names",
        "2201.01234",
    )


# Names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "given", "family", "suffix", "display"),
    [
        ("Pascanu, Razvan", "Razvan", "Pascanu", "", "Razvan Pascanu"),
        ("Razvan Pascanu", "Razvan", "Pascanu", "", "Razvan Pascanu"),
        ("van Hasselt, Hado", "Hado", "van Hasselt", "", "Hado van Hasselt"),
        ("Hado van Hasselt", "Hado", "van Hasselt", "", "Hado van Hasselt"),
        ("De la Fontaine, Jean", "Jean", "De la Fontaine", "", "Jean De la Fontaine"),
        ("Samuel L. Smith", "Samuel L.", "Smith", "", "Samuel L. Smith"),
        (r"Pi{\'o}ro, Maciej", "Maciej", "Pióro", "", "Maciej Pióro"),
        ("King, Jr., Martin Luther", "Martin Luther", "King", "Jr.", "Martin Luther King Jr."),
        ("Martin Luther King, Jr.", "Martin Luther", "King", "Jr.", "Martin Luther King Jr."),
        ("Smith, Jr., John", "John", "Smith", "Jr.", "John Smith Jr."),
        ("Smith, III, John", "John", "Smith", "III", "John Smith III"),
        ("Smith, John, III", "John", "Smith", "III", "John Smith III"),
        ("John Smith III", "John", "Smith", "III", "John Smith III"),
        ("Gates, Sr", "", "Gates", "Sr", "Gates Sr"),
        ("Ludwig van Beethoven, Jr.", "Ludwig", "van Beethoven", "Jr.", "Ludwig van Beethoven Jr."),
    ],
)
def test_names_are_split_into_given_family_and_suffix(raw, given, family, suffix, display):
    author = parse_name(raw)

    assert (author.given_name, author.family_name, author.suffix) == (given, family, suffix)
    assert author.display_name == display
    assert author.is_organization is False


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("{World Health Organization}", "World Health Organization"),
        ("{The {CMS} Collaboration}", "The CMS Collaboration"),
        ("{Google DeepMind}", "Google DeepMind"),
        ("{Barnes and Noble, Inc.}", "Barnes and Noble, Inc."),
        (r"{Universit{\'e} de Montr{\'e}al}", "Université de Montréal"),
    ],
)
def test_a_name_wholly_in_braces_is_an_organisation(raw, name):
    assert parse_name(raw) == ParsedAuthor(
        display_name=name, family_name=name, is_organization=True
    )


def test_a_name_that_starts_with_a_braced_letter_is_a_person():
    author = parse_name(r"{\'E}mile Zola")

    assert (author.given_name, author.family_name, author.is_organization) == (
        "Émile",
        "Zola",
        False,
    )


def test_name_lists_split_on_and_outside_braces_only():
    people, truncated = parse_authors(
        r"{Barnes and Noble} and Pi{\'o}ro, Maciej AND Doe, Jane and {\"O}zt{\"u}rk, Ay{\c s}e"
    )

    assert [p.display_name for p in people] == [
        "Barnes and Noble",
        "Maciej Pióro",
        "Jane Doe",
        "Ayşe Öztürk",
    ]
    assert truncated is False


def test_and_others_marks_a_truncated_list(complete, hard_cases):
    king = complete["king1963letter"]
    assert [a.display_name for a in king.authors] == [
        "Martin Luther King Jr.",
        "World Health Organization",
        "The CMS Collaboration",
    ]
    assert [a.is_organization for a in king.authors] == [False, True, True]
    assert king.authors_truncated is True
    assert king.editors_truncated is False

    names = hard_cases["names2022"]
    assert names.authors_truncated is True
    assert len(names.authors) == 6
    assert names.line == 18

    proceedings = complete["icml2023"]
    assert [e.display_name for e in proceedings.editors] == ["Andreas Krause", "Emma Brunskill"]
    assert proceedings.editors_truncated is True
    assert proceedings.authors == []
    assert proceedings.authors_truncated is False


def test_editors_are_never_authors(complete):
    chapter = complete["chapter2012"]
    assert [a.display_name for a in chapter.authors] == ["John Smith III"]
    assert [e.display_name for e in chapter.editors] == ["Ed Editor"]

    only_editors = parse_one("@book{k, title = {T}, editor = {Doe, Jane}, year = 2020}")
    assert only_editors.authors == []
    assert [e.family_name for e in only_editors.editors] == ["Doe"]


def test_bookauthor_is_ignored():
    entry = parse_one("@inbook{k, title = {T}, bookauthor = {Book Author}, year = 2020}")

    assert (entry.authors, entry.editors) == ([], [])


def test_an_entry_without_authors_or_editors_is_read():
    entry = parse_one("@misc{k, title = {Anonymous pamphlet}, year = 1920}")

    assert (entry.title, entry.year, entry.authors, entry.editors) == (
        "Anonymous pamphlet",
        1920,
        [],
        [],
    )


# Pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pages", "text"),
    [
        ("12--34", "12–34"),
        ("12-34", "12–34"),
        ("12 -- 34", "12–34"),
        ("12---34", "12–34"),
        ("12—34", "12–34"),
        ("12–34", "12–34"),
        ("xi--xx", "xi–xx"),
        ("S12--S34", "S12–S34"),
        ("12--14, 18--20", "12–14, 18–20"),
        ("42", "42"),
        ("e1234", "e1234"),
        ("12+", "12+"),
    ],
)
def test_page_ranges_use_an_en_dash(pages, text):
    assert (
        parse_one(f"@article{{k, title = {{T}}, year = 2020, pages = {{{pages}}}}}").pages == text
    )


# Identifiers and addresses -------------------------------------------------------------------


def test_identifiers_are_read_from_their_fields_and_addresses(hard_cases):
    accents = hard_cases["accents2023"]
    assert accents.doi == "10.1000/abc.def-42"
    assert hard_cases["urlonly2021"].arxiv_id == "2101.00042"
    assert hard_cases["urlonly2021"].url == "https://arxiv.org/abs/2101.00042v2"


@pytest.mark.parametrize(
    ("fields", "doi", "arxiv_id"),
    [
        ("doi = {10.1000/ABC\\_def}", "10.1000/abc_def", ""),
        ("doi = {doi:10.1000/xyz}", "10.1000/xyz", ""),
        ("url = {https://doi.org/10.1000/xyz}", "10.1000/xyz", ""),
        ("arxivid = {2101.00042}", "", "2101.00042"),
        ("eprint = {2101.00042v2}", "", "2101.00042"),
        ("eprint = {math/0211159}, archiveprefix = {arXiv}", "", "math/0211159"),
        ("eprint = {12345678}, eprinttype = {pubmed}", "", ""),
        ("doi = {10.48550/arXiv.2307.11888}", "10.48550/arxiv.2307.11888", "2307.11888"),
    ],
)
def test_doi_and_arxiv_id_forms(fields, doi, arxiv_id):
    entry = parse_one(f"@misc{{k, title = {{T}}, year = 2023, {fields}}}")

    assert (entry.doi, entry.arxiv_id) == (doi, arxiv_id)
    assert entry.warnings == []


@pytest.mark.parametrize(
    ("fields", "warning"),
    [
        (
            "doi = {not-a-doi}",
            "doi “not-a-doi” was left out: Enter a DOI such as 10.48550/arXiv.2307.11888.",
        ),
        (
            "eprint = {arXiv:foo}",
            "eprint “arXiv:foo” was left out: "
            "Enter an arXiv identifier such as 2307.11888 or math/0211159.",
        ),
        (
            "arxivid = {12.34}",
            "arxivid “12.34” was left out: "
            "Enter an arXiv identifier such as 2307.11888 or math/0211159.",
        ),
    ],
)
def test_a_bad_doi_or_arxiv_id_is_left_out_with_a_warning(fields, warning):
    result = parse_bibtex(f"@article{{k, title = {{T}}, author = {{A B}}, year = 2020, {fields}}}")

    [entry] = result.entries
    assert (entry.title, entry.doi, entry.arxiv_id) == ("T", "", "")
    assert entry.warnings == [warning]
    assert [(w.key, w.line, w.message) for w in result.warnings] == [("k", 1, warning)]


def test_a_bad_eprint_falls_back_on_the_address():
    entry = parse_one("""
        @misc{k, title = {T}, year = 2021, eprint = {arXiv:foo},
          url = {https://arxiv.org/abs/2101.00042}}""")

    assert entry.arxiv_id == "2101.00042"
    assert len(entry.warnings) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://a.org/paper https://b.org/mirror",
        "https://a.org/paper, https://b.org/mirror",
        "https://a.org/paper,https://b.org/mirror",
        "https://a.org/paper; https://b.org/mirror",
        "https://a.org/paper\n    https://b.org/mirror",
    ],
)
def test_of_several_addresses_the_first_is_kept(url):
    entry = parse_one(f"@misc{{k, title = {{T}}, year = 2021, url = {{{url}}}}}")

    assert entry.url == "https://a.org/paper"
    assert entry.warnings == [
        "url “https://b.org/mirror” was left out: only the first web address was kept"
    ]


def test_the_first_valid_address_is_kept_after_an_invalid_one():
    entry = parse_one("@misc{k, title = {T}, year = 2021, url = {www.a.org https://b.org/x}}")

    assert entry.url == "https://b.org/x"
    assert entry.warnings == ["url “www.a.org” was left out: it is not a web address"]


@pytest.mark.parametrize(
    ("fields", "warning"),
    [
        (
            "url = {ftp://a.org/file}",
            "url “ftp://a.org/file” was left out: it is not a web address",
        ),
        ("url = {https://}", "url “https://” was left out: it is not a web address"),
        (
            "pdf = {/home/me/paper.pdf}",
            "pdf “/home/me/paper.pdf” was left out: it is not a web address",
        ),
    ],
)
def test_an_invalid_address_is_left_out_with_a_warning(fields, warning):
    entry = parse_one(f"@misc{{k, title = {{T}}, year = 2021, {fields}}}")

    assert (entry.url, entry.pdf_url) == ("", "")
    assert entry.warnings == [warning]


def test_an_address_over_200_characters_is_left_out():
    url = "https://example.org/" + "a" * 190
    entry = parse_one(f"@misc{{k, title = {{T}}, year = 2021, url = {{{url}}}}}")

    assert entry.url == ""
    assert entry.warnings == [f"url “{url[:79]}…” was left out: it is longer than 200 characters"]


def test_addresses_keep_tildes_and_lose_escapes():
    entry = parse_one(r"""
        @misc{k, title = {T}, year = 2021, url = {\url{https://www.example.org/~doe/a\_b.html}},
          file = {https://www.example.org/~doe/a.pdf}}""")

    assert entry.url == "https://www.example.org/~doe/a_b.html"
    assert entry.pdf_url == "https://www.example.org/~doe/a.pdf"


def test_a_local_file_attachment_is_ignored_silently():
    entry = parse_one("@misc{k, title = {T}, year = 2021, file = {Full Text:/tmp/a.pdf:PDF}}")

    assert (entry.pdf_url, entry.warnings) == ("", [])


# Repeated fields and long values ----------------------------------------------------------------


def test_a_repeated_field_keeps_its_first_value_and_the_entry_is_imported():
    result = parse_bibtex("""
@article{repeated2020,
  title   = {The First Title},
  author  = {Doe, Jane},
  journal = {Journal of Repetition},
  year    = {2020},
  Title   = {The Second Title},
  year    = {2021},
  journal = {Journal of Repetition},
}
""")

    assert result.problems == []
    [entry] = result.entries
    assert (entry.key, entry.line, entry.title, entry.year, entry.venue) == (
        "repeated2020",
        2,
        "The First Title",
        2020,
        "Journal of Repetition",
    )
    expected = [
        "title “The Second Title” was left out: the field is repeated; its first value was kept",
        "year “2021” was left out: the field is repeated; its first value was kept",
    ]
    assert entry.warnings == expected
    assert [(w.key, w.line, w.message) for w in result.warnings] == [
        ("repeated2020", 2, message) for message in expected
    ]


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("publisher", 255),
        ("series", 255),
        ("institution", 255),
        ("address", 255),
        ("volume", 50),
        ("pages", 50),
        ("edition", 50),
        ("number", 50),
    ],
)
def test_a_long_value_is_left_out_with_a_warning(field, limit):
    value = "x" * (limit + 100)
    entry = parse_one(f"@techreport{{k, title = {{T}}, year = 2020, {field} = {{{value}}}}}")

    assert getattr(entry, field) == ""
    assert entry.warnings == [
        f"{field} “{'x' * 79}…” was left out: it is longer than {limit} characters"
    ]


def test_a_long_venue_and_issue_are_left_out_and_a_long_title_refuses_the_entry():
    title, venue, issue = "T" * 600, "V" * 301, "1" * 60
    entry = parse_one(
        f"@article{{k, title = {{T}}, year = 2020, journal = {{{venue}}}, number = {{{issue}}}}}"
    )
    result = parse_bibtex(f"@article{{k, title = {{{title}}}, year = 2020}}")

    assert (entry.venue, entry.issue) == ("", "")
    assert [w.split("”")[1] for w in entry.warnings] == [
        " was left out: it is longer than 300 characters",
        " was left out: it is longer than 50 characters",
    ]
    assert [(p.key, p.message) for p in result.problems] == [
        ("k", "its title is longer than 500 characters")
    ]


# Language, relations, options, crossref --------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "language"),
    [
        ("", "en"),
        ("langid = {french}", "fr"),
        ("language = {German}", "de"),
        ("langid = {ngerman}", "de"),
        ("langid = {american}", "en"),
        ("language = {pt-BR}", "pt-br"),
        ("langid = {brazilian}", "pt-BR"),
    ],
)
def test_language(fields, language):
    entry = parse_one(f"@article{{k, title = {{T}}, year = 2020, {fields}}}")

    assert (entry.language, entry.warnings) == (language, [])


def test_an_unknown_language_is_left_out_with_a_warning():
    entry = parse_one("@article{k, title = {T}, year = 2020, language = {Klingon}}")

    assert entry.language == "en"
    assert entry.warnings == ["language “Klingon” was left out: it is not a known language"]


def test_related_keys_and_dataonly(complete):
    assert complete["chapter2012"].related == ["hairer1993", "king1963letter"]
    assert complete["chapter2012"].data_only is False
    assert complete["rfc9110"].data_only is True
    assert complete["rfc9110"].venue == "Request for Comments 9110"


@pytest.mark.parametrize(
    ("options", "data_only"),
    [
        ("dataonly", True),
        ("dataonly=true", True),
        ("skipbib, dataonly = true", True),
        ("dataonly=false", False),
        ("skipbib", False),
    ],
)
def test_dataonly_option(options, data_only):
    entry = parse_one(f"@misc{{k, title = {{T}}, year = 2020, options = {{{options}}}}}")

    assert entry.data_only is data_only


def test_a_crossref_supplies_the_container_fields(complete):
    paper = complete["paper2023"]

    assert (paper.kind, paper.title, paper.year, paper.month) == (
        Kind.CONFERENCE_PAPER,
        "A Paper in the Proceedings",
        2023,
        7,
    )
    assert paper.venue == "Proceedings of the 40th International Conference on Machine Learning"
    assert (paper.publisher, paper.series, paper.volume, paper.pages) == (
        "PMLR",
        "Proceedings of Machine Learning Research",
        "202",
        "1001–1012",
    )
    assert [e.display_name for e in paper.editors] == ["Andreas Krause", "Emma Brunskill"]
    assert [a.display_name for a in paper.authors] == ["Maciej Pióro", "Hado van Hasselt"]


def test_a_crossref_never_lends_its_identifiers():
    result = parse_bibtex("""
        @inproceedings{paper, title = {Paper}, crossref = {proc}}
        @proceedings{proc, title = {Proceedings}, year = 2020, doi = {10.1000/proc},
          url = {https://proc.example.org}}""")

    paper, proceedings = result.entries
    assert (paper.doi, paper.url, paper.year) == ("", "", 2020)
    assert proceedings.doi == "10.1000/proc"


def test_a_crossref_to_a_missing_key_is_reported():
    entry = parse_one("@inproceedings{k, title = {T}, year = 2020, crossref = {nowhere}}")

    assert entry.warnings == ["crossref “nowhere” was left out: no entry of the file has this key"]


def test_xdata_entries_supply_data_and_are_not_publications():
    result = parse_bibtex("""
        @xdata{lncs, publisher = {Springer}, series = {LNCS}, location = {Cham}}
        @inproceedings{k, title = {T}, year = 2020, xdata = {lncs}, booktitle = {Proc}}""")

    assert result.problems == []
    [entry] = result.entries
    assert (entry.publisher, entry.series, entry.address) == ("Springer", "LNCS", "Cham")


# Problems ------------------------------------------------------------------------------------


def test_invalid_entries_are_reported_with_key_and_line():
    result = parse_bibtex((FIXTURES / "invalid.bib").read_text(encoding="utf-8"))

    assert [entry.key for entry in result.entries] == ["good2020"]
    assert [(p.key, p.line) for p in result.problems] == [
        ("noyear", 7),
        ("broken", 12),
        ("notitle", 16),
    ]
    assert result.problems[0].message == "it has no year"
    assert result.problems[1].message.startswith("unreadable BibTeX: ")
    assert result.problems[2].message == "it has no title"


def test_a_repeated_key_is_a_problem():
    result = parse_bibtex("""@article{k, title = {First}, year = 2020}
@article{k, title = {Second}, year = 2021}
""")

    assert [entry.title for entry in result.entries] == ["First"]
    assert [(p.key, p.line, p.message) for p in result.problems] == [
        ("k", 2, "the key is already used by the entry on line 1")
    ]


def test_warnings_name_the_entry_and_are_in_file_order():
    result = parse_bibtex("""@article{a, title = {A}, year = 2020, doi = {bad}}
@article{b, title = {B}, year = 2020}
@article{c, title = {C}, year = 2020, month = {Summer}}
""")

    assert [(w.key, w.line) for w in result.warnings] == [("a", 1), ("c", 3)]
    assert str(result.warnings[1]) == "c (line 3): month “Summer” was left out: it is not a month"


# Files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("@misc{a, title={Café}}".encode("latin-1"), "UTF-8"),
        (b"just some words", "No BibTeX entry"),
    ],
)
def test_unusable_files_get_a_clear_message(data, message):
    with pytest.raises(BibtexFileError, match=message):
        decode_bibtex_file(data)


def test_a_file_over_the_limit_is_refused_before_reading_it():
    with pytest.raises(BibtexFileError, match="too large"):
        decode_bibtex_file(b"@" * 101, max_bytes=100)


def test_utf8_with_byte_order_mark_is_read():
    assert decode_bibtex_file("\ufeff@misc{a}".encode()) == "@misc{a}"
