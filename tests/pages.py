"""Reading pages the way a visitor does, for assertions."""

import re
from html import unescape


def text_of(response) -> str:
    """The page's visible text, tags removed and entities decoded, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
