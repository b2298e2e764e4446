"""Plain text from what sources send: markup (JATS, HTML, MathML) removed, entities undone.

Crossref abstracts are JATS XML (``<jats:p>``, ``<jats:italic>``), titles from several sources
carry HTML (``<i>in vivo</i>``, ``&amp;``). The model stores plain Unicode, so every adapter
passes such text through ``plain_text`` (paragraphs kept), ``abstract_text`` (the same, without
a heading that only says "Abstract") or ``plain_line`` (one line: titles, names, venues)."""

import re
from html.parser import HTMLParser

from core.text import without_control_characters

# Elements that end a paragraph: their text is set apart from what follows by a blank line.
_BLOCK_ELEMENTS = frozenset(
    {"p", "div", "sec", "title", "list-item", "li", "ul", "ol", "list", "br", "disp-quote"}
)
# Elements whose content is not text a reader of the abstract would see.
_HIDDEN_ELEMENTS = frozenset({"script", "style", "object-id"})
# A leading heading that only says "this is the abstract".
_ABSTRACT_HEADING = re.compile(
    r"^(abstract|summary|résumé|resume|graphical abstract)\s*[:.]?$", re.IGNORECASE
)
# Runs of ASCII white space; a no-break or thin space is typography, and is kept.
_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def _local_name(tag: str) -> str:
    """``jats:p`` -> ``p``; ``mml:mi`` -> ``mi``."""
    return tag.rpartition(":")[2].lower()


class _TextCollector(HTMLParser):
    """Collects the text of a fragment of markup, as paragraphs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        name = _local_name(tag)
        if name in _HIDDEN_ELEMENTS:
            self._hidden_depth += 1
        elif name in _BLOCK_ELEMENTS:
            self._end_paragraph()

    def handle_startendtag(self, tag, attrs):
        if _local_name(tag) in _BLOCK_ELEMENTS:
            self._end_paragraph()

    def handle_endtag(self, tag):
        name = _local_name(tag)
        if name in _HIDDEN_ELEMENTS:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif name in _BLOCK_ELEMENTS:
            self._end_paragraph()

    def handle_data(self, data):
        if not self._hidden_depth:
            self._current.append(data)

    def _end_paragraph(self) -> None:
        text = _SPACES.sub(" ", "".join(self._current)).strip()
        if text:
            self.paragraphs.append(text)
        self._current = []

    def close(self) -> None:
        super().close()
        self._end_paragraph()


def _paragraphs(markup: str) -> list[str]:
    if not markup:
        return []
    collector = _TextCollector()
    collector.feed(without_control_characters(markup))
    collector.close()
    return collector.paragraphs


def plain_text(markup: str) -> str:
    """The text of ``markup``, paragraphs separated by a blank line, spaces collapsed.

    Tags go, their text stays; entities (``&lt;``, ``&#233;``) become characters. Text
    without markup comes back with its spaces tidied."""
    return "\n\n".join(_paragraphs(markup))


def abstract_text(markup: str) -> str:
    """``plain_text`` of an abstract, without a first heading that only says "Abstract"."""
    paragraphs = _paragraphs(markup)
    if paragraphs and _ABSTRACT_HEADING.match(paragraphs[0]):
        paragraphs = paragraphs[1:]
    return "\n\n".join(paragraphs)


def plain_line(markup: str) -> str:
    """The text of ``markup`` on one line: for titles, names and venues."""
    return _SPACES.sub(" ", plain_text(markup)).strip()
