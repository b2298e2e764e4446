"""Reading pages the way a visitor does, for assertions."""

import re
from html import unescape
from html.parser import HTMLParser

from django.db import connection
from django.test.utils import CaptureQueriesContext


def text_of(response) -> str:
    """The page's visible text, tags removed and entities decoded, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def queries_of(client, url: str, params: dict | None = None) -> int:
    """How many SQL queries the page at ``url`` costs (it must answer 200)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def names(response) -> list[str]:
    """The names on the researcher cards, in page order."""
    assert response.status_code == 200
    return [
        unescape(name)
        for name in re.findall(
            r'<h3 class="researcher-card__name"><a href="[^"]+">([^<]+)</a></h[34]>',
            response.content.decode(),
        )
    ]


def titles(response) -> list[str]:
    """The titles of the listed publications, in page order."""
    assert response.status_code == 200
    return [
        unescape(title)
        for title in re.findall(
            r'<h[34] class="publication__title"[^>]*><a href="[^"]+">([^<]+)</a></h[34]>',
            response.content.decode(),
        )
    ]


def checkbox_counts(response, name: str) -> dict[str, int]:
    """The count shown next to each checkbox of a facet, by the checkbox's value."""
    return {
        value: int(count)
        for value, count in re.findall(
            rf'<input type="checkbox" name="{name}" value="([^"]+)"[^>]*>[^<]*'
            r'<span class="facet__count">\((\d+)\)</span>',
            response.content.decode(),
        )
    }


def edit_snapshot(client, url: str) -> dict[str, str]:
    """The hidden snapshot of an admin change form, as a browser opening it would send back."""
    response = client.get(url)
    assert response.status_code == 200
    match = re.search(r'name="edit_snapshot" value="([^"]*)"', response.content.decode())
    assert match, "the change form has no edit snapshot"
    return {"edit_snapshot": unescape(match.group(1))}


class _FormReader(HTMLParser):
    """Collects what a browser would submit from the first form with a given id."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._option: str | None = None
        self._option_text = ""
        self._option_selected = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            self._option = attrs.get("value")
            self._option_text = ""
            self._option_selected = "selected" in attrs
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data
        elif self._option is not None or self._option_selected:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option" and self._select:
            if self._option_selected:
                value = self._option if self._option is not None else self._option_text
                self.data.append((self._select, value))
            self._option, self._option_selected = None, False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            self.data.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def form_data(response, form_id: str) -> dict[str, list[str]]:
    """The fields of the form ``form_id`` as a browser would submit them unchanged (for the
    Django test client: each name maps to the list of its values)."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    fields: dict[str, list[str]] = {}
    for name, value in reader.data:
        fields.setdefault(name, []).append(value)
    return fields
