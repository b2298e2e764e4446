"""Text as it is stored and compared: control characters and the keys that sort and match."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from core.text import collation_key, fold, name_key, title_key, without_control_characters


def test_control_characters_go_and_line_breaks_become_line_feeds():
    assert without_control_characters("a\x01b\x1b[0m\r\nc\rd\te\x85f\x7f") == "ab[0m\nc\nd\tef"


@given(st.text())
def test_nothing_but_control_characters_is_removed(text):
    cleaned = without_control_characters(text)
    kept = [c for c in cleaned if c not in "\t\n"]
    assert all(unicodedata.category(c) != "Cc" for c in kept)
    expected = [
        c for c in text.replace("\r\n", "\n") if c in "\t\n\r" or unicodedata.category(c) != "Cc"
    ]
    assert cleaned == "".join(expected).replace("\r", "\n")


def test_keys_ignore_accents_case_and_punctuation():
    assert fold("Réseaux à Łódź") == "reseaux a lodz"
    assert name_key("Çağlar  Gülçehre") == name_key("caglar gulcehre") == "caglar gulcehre"
    assert name_key("Pióro, J.-P.") == "pioro j p"
    assert title_key("On the Difficulty of Training RNNs!") == "onthedifficultyoftrainingrnns"
    assert sorted(["Zoé", "élan", "Eva"], key=collation_key) == ["élan", "Eva", "Zoé"]
