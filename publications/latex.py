"""LaTeX markup found in bibliographic text, turned into the Unicode a reader expects."""

from pylatexenc.latex2text import LatexNodes2Text

_converter = LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


def latex_to_text(text: str) -> str:
    """Plain Unicode text for LaTeX source: accents decoded, emphasis and braces dropped.

    "Pi{\\'o}ro" -> "Pióro", "\\textit{self-guided training}" -> "self-guided training".
    """
    if "\\" not in text and "{" not in text and "--" not in text and "~" not in text:
        return text
    return " ".join(_converter.latex_to_text(text).split())
