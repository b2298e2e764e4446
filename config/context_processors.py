"""Template context shared by every public page."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url


def language_alternates(request: HttpRequest) -> dict:
    """The current page's address in each language, for the language switch and hreflang links."""
    path = request.path
    alternates = [
        {
            "code": code,
            "name": name,
            "url": translate_url(path, code),
        }
        for code, name in settings.LANGUAGES
    ]
    return {"language_alternates": alternates}
