"""Reading pages the way a visitor does, for assertions."""

import re
from html import unescape


def text_of(response) -> str:
    """The page's visible text, tags removed and entities decoded, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def names(response) -> list[str]:
    """The names on the researcher cards, in page order."""
    assert response.status_code == 200
    return [
        unescape(name)
        for name in re.findall(
            r'<h3 class="researcher-card__name"><a href="[^"]+">([^<]+)</a></h3>',
            response.content.decode(),
        )
    ]


def titles(response) -> list[str]:
    """The titles of the listed publications, in page order."""
    assert response.status_code == 200
    return [
        unescape(title)
        for title in re.findall(
            r'<h3 class="publication__title"[^>]*><a href="[^"]+">([^<]+)</a></h3>',
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
