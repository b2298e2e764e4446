"""Writes on publications and authors that are more than a form save."""

from profiles.collation import name_key

from .models import Author


def author_get_or_create(*, display_name: str) -> tuple[Author, bool]:
    """The author with this name, accents, case and punctuation ignored, or a new one.

    Returns the author and whether it was created. When several authors share the name,
    the oldest is taken: it is the one editors have had longest to link and correct.
    """
    display_name = " ".join(display_name.split())
    existing = Author.objects.filter(name_key=name_key(display_name)).order_by("pk").first()
    if existing is not None:
        return existing, False
    author = Author(display_name=display_name)
    author.full_clean(exclude=["name_key"])
    author.save()
    return author, True
