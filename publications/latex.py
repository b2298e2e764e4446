"""LaTeX markup found in bibliographic text, turned into the Unicode a reader expects.

Bibliographies use a small part of LaTeX: accents, a few special letters, escaped symbols,
dashes, emphasis and braces. Those are converted here directly, which is fast enough to import
thousands of entries; anything else (math, unknown commands) goes through pylatexenc.
"""

import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

_converter = LatexNodes2Text(math_mode="text", strict_latex_spaces=True)

# Accent commands and the combining mark each one puts on the next letter.
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_LETTERS = {
    "i": "ı", "j": "ȷ", "ss": "ß", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ae": "æ",
    "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å", "dh": "ð", "DH": "Ð", "th": "þ",
    "TH": "Þ", "ng": "ŋ", "NG": "Ŋ",
}  # fmt: skip
_SYMBOLS = {
    "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^", "textendash": "–",
    "textemdash": "—", "textquoteright": "’", "textquoteleft": "‘", "ldots": "…",
    "dots": "…", "textregistered": "®", "copyright": "©", "textdegree": "°", "S": "§",
    "P": "¶", "pounds": "£", "euro": "€", "LaTeX": "LaTeX", "TeX": "TeX", "BibTeX": "BibTeX",
}  # fmt: skip
# Commands whose braced argument is kept as plain text.
_STYLES = (
    "textit|emph|textbf|textsc|textrm|textsf|texttt|textup|textsl|textmd|textnormal|mbox|"
    "hbox|text|mathrm|mathit|mathbf|mathsf|mathtt|uppercase|MakeUppercase|url|href"
)

_ACCENT_RE = re.compile(
    r"""\{?\\(['`^"~=.]|[uvHckrdb](?![a-zA-Z]))\s*(?:\{\s*(\\[ij]\b|\\[ij](?=\})|[^{}\\])\s*\}|(\\[ij](?![a-zA-Z])|[a-zA-Z]))\}?"""
)
_LETTER_NAMES = "|".join(sorted(_LETTERS, key=len, reverse=True))
_LETTER_RE = re.compile(r"\\(" + _LETTER_NAMES + r")(?![a-zA-Z])(?:\{\}|\s?)")
_SYMBOL_RE = re.compile(r"\\(" + "|".join(_SYMBOLS) + r")(?![a-zA-Z])(?:\{\}|\s?)")
_STYLE_RE = re.compile(r"\\(?:" + _STYLES + r")\s*\{([^{}]*)\}")
_ESCAPED_RE = re.compile(r"\\([%&$#_{}])")
_SPACE_RE = re.compile(r"\\[,;: ]|~")
_MATH_RE = re.compile(r"(?<!\\)\$([^$]+)\$")
# In BibTeX values a bare "%" is a percent sign, not the start of a LaTeX comment.
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_LATEX_MARKERS = re.compile(r"[\\{}$~]|--")

# Characters that the conversion produces but must not read as markup, kept aside meanwhile.
_PROTECTED_LEFT = "\ue000"
_PROTECTED_RIGHT = "\ue001"
_PROTECT = {"textbackslash": "\ue002", "textasciitilde": "\ue003"}
_RESTORE = {_PROTECTED_LEFT: "{", _PROTECTED_RIGHT: "}", "\ue002": "\\", "\ue003": "~"}


def _accent(match: re.Match) -> str:
    letter = match.group(2) or match.group(3)
    letter = _LETTERS.get(letter[1:], letter) if letter.startswith("\\") else letter
    if letter == "ı":
        letter = "i"  # \'{\i} is an i with an acute accent, whatever the dot did
    elif letter == "ȷ":
        letter = "j"
    return unicodedata.normalize("NFC", letter + _ACCENTS[match.group(1)])


@lru_cache(maxsize=4096)
def _math_to_text(source: str) -> str:
    return _converter.latex_to_text(f"${source}$")


def _fast(text: str) -> str | None:
    """The common bibliographic LaTeX converted directly, or None if something else is left."""
    text = _MATH_RE.sub(lambda m: _math_to_text(m.group(1)), text)
    text = _ESCAPED_RE.sub(
        lambda m: {"{": _PROTECTED_LEFT, "}": _PROTECTED_RIGHT}.get(m.group(1), m.group(1)), text
    )
    text = _ACCENT_RE.sub(_accent, text)
    text = _LETTER_RE.sub(lambda m: _LETTERS[m.group(1)], text)
    text = _SPACE_RE.sub(" ", text)
    text = _SYMBOL_RE.sub(lambda m: _PROTECT.get(m.group(1), _SYMBOLS[m.group(1)]), text)
    previous = None
    while previous != text:  # nested emphasis: \emph{a \textbf{b}}
        previous = text
        text = _STYLE_RE.sub(r"\1", text)
    if "\\" in text or "$" in text:
        return None
    text = text.replace("---", "—").replace("--", "–").replace("``", "“").replace("''", "”")
    text = text.replace("{", "").replace("}", "")
    for placeholder, character in _RESTORE.items():
        text = text.replace(placeholder, character)
    return text


def latex_to_text(text: str) -> str:
    """Plain Unicode text for LaTeX source: accents decoded, emphasis and braces dropped,
    math kept readable, whitespace collapsed.

    "Pi{\\'o}ro" -> "Pióro", "\\textit{self-guided training}" -> "self-guided training",
    "$\\alpha$-stable" -> "α-stable".
    """
    # Names and venues repeat across a bibliography: remember the short ones.
    if len(text) <= 200:
        return _short_latex_to_text(text)
    return _latex_to_text(text)


@lru_cache(maxsize=16384)
def _short_latex_to_text(text: str) -> str:
    return _latex_to_text(text)


def _latex_to_text(text: str) -> str:
    if not _LATEX_MARKERS.search(text):
        return " ".join(text.split())
    converted = _fast(text)
    if converted is None:
        converted = _converter.latex_to_text(_BARE_PERCENT.sub(r"\\%", text))
        if "\\{" not in text and "\\}" not in text:
            # Unbalanced braces that the converter kept are never meant to be seen.
            converted = converted.replace("{", "").replace("}", "")
    return " ".join(converted.split())
