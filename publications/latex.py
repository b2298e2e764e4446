"""LaTeX markup found in bibliographic text, turned into the Unicode a reader expects."""

import re

from pylatexenc.latex2text import LatexNodes2Text

_converter = LatexNodes2Text(math_mode="text", strict_latex_spaces=True)
# In BibTeX values a bare "%" is a percent sign, not the start of a LaTeX comment.
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_LATEX_MARKERS = re.compile(r"[\\{}$~]|--")


def latex_to_text(text: str) -> str:
    """Plain Unicode text for LaTeX source: accents decoded, emphasis and braces dropped,
    math kept readable, whitespace collapsed.

    "Pi{\\'o}ro" -> "Pióro", "\\textit{self-guided training}" -> "self-guided training",
    "$\\alpha$-stable" -> "α-stable".
    """
    if not _LATEX_MARKERS.search(text):
        return " ".join(text.split())
    converted = _converter.latex_to_text(_BARE_PERCENT.sub(r"\\%", text))
    if "\\{" not in text and "\\}" not in text:
        # Unbalanced braces that the converter kept are never meant to be seen.
        converted = converted.replace("{", "").replace("}", "")
    return " ".join(converted.split())
