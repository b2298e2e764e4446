"""Plain text and single values read from what sources send."""

import pytest

from harvest.sources.text import abstract_text, plain_line, plain_text
from harvest.sources.values import (
    arxiv_from_doi,
    arxiv_from_url,
    as_int,
    as_str,
    bare_orcid,
    pages_text,
)


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        (
            "The <i>in vivo</i> effect of CO<sub>2</sub> &amp; heat",
            "The in vivo effect of CO2 & heat",
        ),
        ("p < 0.05 and q > 1", "p < 0.05 and q > 1"),
        ("&lt;i&gt;literal&lt;/i&gt; tags", "<i>literal</i> tags"),
        ("Caf&#233; &#x2014;  au\n lait", "Café — au lait"),
        ("Abstract", "Abstract"),
        ("a\x00b\x1fc", "abc"),
        ("5\u202f%", "5\u202f%"),
        ("", ""),
    ],
)
def test_plain_line(markup, text):
    assert plain_line(markup) == text


def test_a_structured_jats_abstract_keeps_its_sections_as_paragraphs():
    markup = (
        '<jats:sec id="s1"><jats:title>Background</jats:title>'
        "<jats:p>Gradients <jats:bold>vanish</jats:bold>.</jats:p></jats:sec>"
        "<jats:sec><jats:title>Methods</jats:title><jats:list>"
        "<jats:list-item><jats:p>clipping;</jats:p></jats:list-item>"
        "<jats:list-item><jats:p>a soft constraint.</jats:p></jats:list-item>"
        "</jats:list></jats:sec>"
    )

    assert abstract_text(markup) == (
        "Background\n\nGradients vanish.\n\nMethods\n\nclipping;\n\na soft constraint."
    )


def test_only_a_heading_that_says_abstract_is_dropped():
    assert abstract_text("<jats:title>Abstract:</jats:title><jats:p>Text.</jats:p>") == "Text."
    assert abstract_text("<title>Résumé</title><p>Texte.</p>") == "Texte."
    assert plain_text("<title>Abstract</title><p>Text.</p>") == "Abstract\n\nText."


def test_unclosed_or_broken_markup_keeps_its_text():
    assert abstract_text("<jats:p>Unclosed <jats:italic>emphasis") == "Unclosed emphasis"
    assert plain_line("Broken </b> end tag") == "Broken end tag"


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("12-19", "12–19"),
        ("12--19", "12–19"),
        ("12 – 19", "12–19"),
        ("S1-S12", "S1–S12"),
        ("e0123456", "e0123456"),
        ("7-7", "7"),
        ("", ""),
    ],
)
def test_pages_are_stored_with_an_en_dash(written, stored):
    assert pages_text(written) == stored


@pytest.mark.parametrize(
    ("url", "found"),
    [
        ("https://arxiv.org/abs/1312.6026v5", ("1312.6026", "v5")),
        ("http://arxiv.org/pdf/2301.00001.pdf", ("2301.00001", "")),
        ("https://arxiv.org/abs/hep-th/9901001v2", ("hep-th/9901001", "v2")),
        ("https://example.org/abs/1312.6026", ("", "")),
        ("https://arxiv.org/abs/not-an-id", ("", "")),
    ],
)
def test_arxiv_ids_in_addresses(url, found):
    assert arxiv_from_url(url) == found


def test_arxiv_ids_in_dois():
    assert arxiv_from_doi("https://doi.org/10.48550/arXiv.2101.00001") == ("2101.00001", "")
    assert arxiv_from_doi("10.1162/neco_a_01362") == ("", "")


@pytest.mark.parametrize(
    ("value", "orcid"),
    [
        ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("http://orcid.org/0000-0002-1694-233x", "0000-0002-1694-233X"),
        ("0000-0002-1825-0098", ""),
        ("not an orcid", ""),
        ("", ""),
    ],
)
def test_orcid_ids_are_kept_bare_and_only_when_valid(value, orcid):
    assert bare_orcid(value) == orcid


def test_numbers_and_text_of_the_wrong_type_are_empty():
    assert as_int("2019") == 2019
    assert as_int(True) is None
    assert as_int("n/a") is None
    assert as_str(33) == "33"
    assert as_str(None) == ""
    assert as_str(["list"]) == ""
