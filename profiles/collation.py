"""Accent- and case-insensitive text keys, for sorting and matching names as people read them."""

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter plus an accent.
_SPECIAL_LETTERS = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "TH",
    }
)
_NOT_WORD = re.compile(r"[^\w]+")
# The Unicode blocks of combining marks (accents once separated from their letters).
_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents: "Réseaux à Łódź" -> "reseaux a lodz"."""
    if text.isascii():  # most text: nothing to strip, and lower() is casefold() here
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS))
    return _COMBINING_MARKS.sub("", decomposed).casefold()


def collation_key(text: str) -> tuple[str, str]:
    """Sort key for alphabetical order ignoring accents and case, ties broken by the exact text."""
    return (fold(text), text)


def name_key(text: str) -> str:
    """Matching key for a person's name: accents, case and punctuation ignored."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).replace("_", " ").split())


def title_key(text: str) -> str:
    """Matching key for a title: case, accents, spaces and punctuation ignored."""
    return "".join(_NOT_WORD.sub(" ", fold(text)).replace("_", " ").split())
