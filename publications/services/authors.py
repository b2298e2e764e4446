"""Authors: matched by name across publications, created once, and the researcher's own record."""

from collections.abc import Iterable

from django.db.models import QuerySet

from core.text import fields_without_control_characters, name_key, without_control_characters
from profiles.models import Researcher

from ..bibtex import ParsedAuthor
from ..models import Author

# Look-ups of many names go in batches: SQLite refuses very long lists of values.
LOOKUP_BATCH = 500


def author_get_or_create(*, display_name: str) -> tuple[Author, bool]:
    """The author with this name, accents, case and punctuation ignored, or a new one.

    Returns the author and whether it was created. When several authors share the name,
    the oldest is taken: it is the one editors have had longest to link and correct.
    """
    display_name = " ".join(without_control_characters(display_name).split())
    existing = Author.objects.filter(name_key=name_key(display_name)).order_by("pk").first()
    if existing is not None:
        return existing, False
    author = Author(display_name=display_name)
    author.full_clean(exclude=["name_key"])
    author.save()
    return author, True


def informativeness(name: str) -> tuple[int, int]:
    """How much a spelling tells: accented letters first ("Çağlar Gülçehre" over "Caglar
    Gulcehre", which reads the same to the matcher), then capitals kept ("McDonald")."""
    return (sum(not c.isascii() for c in name), sum(c.isupper() for c in name))


def most_informative(names: Iterable[ParsedAuthor]) -> dict[str, ParsedAuthor]:
    """One spelling per matching key: the one that tells most."""
    best: dict[str, ParsedAuthor] = {}
    for parsed in names:
        key = name_key(parsed.display_name)
        if key and (
            key not in best
            or informativeness(parsed.display_name) > informativeness(best[key].display_name)
        ):
            best[key] = parsed
    return best


def authors_by_key(keys: Iterable[str]) -> dict[str, Author]:
    """Stored authors by matching key, the oldest record for each, in batches."""
    keys = list(keys)
    found: dict[str, Author] = {}
    for start in range(0, len(keys), LOOKUP_BATCH):
        batch = keys[start : start + LOOKUP_BATCH]
        rows: QuerySet[Author] = Author.objects.filter(name_key__in=batch).order_by("-pk")
        for author in rows:
            found[author.name_key] = author  # the oldest record wins
    return found


def new_author(parsed: ParsedAuthor) -> Author:
    author = Author(
        display_name=parsed.display_name,
        given_name=parsed.given_name,
        family_name=parsed.family_name,
        suffix=parsed.suffix,
        is_organization=parsed.is_organization,
    )
    fields_without_control_characters(author)
    author.refresh_derived_fields()
    return author


def respell(author: Author, parsed: ParsedAuthor) -> bool:
    """Give ``author`` the spelling of ``parsed`` when it tells more; whether it did."""
    if informativeness(parsed.display_name) <= informativeness(author.display_name):
        return False
    author.display_name = parsed.display_name
    author.given_name, author.family_name = parsed.given_name, parsed.family_name
    author.suffix = author.suffix or parsed.suffix
    fields_without_control_characters(author)
    author.refresh_derived_fields()
    return True


def researcher_author(researcher: Researcher) -> Author:
    """The researcher's own author record, linked (and created) if needed."""
    author = Author.objects.filter(researcher=researcher).first()
    if author is None:
        author, _created = author_get_or_create(display_name=researcher.full_name)
        if author.researcher_id is not None:  # the name belongs to someone else's record
            author = Author(display_name=researcher.full_name)
        author.researcher = researcher
        fields_without_control_characters(author)
        author.save()
    return author


def is_researcher(parsed: ParsedAuthor, author: Author) -> bool:
    """Whether a name on a paper is the researcher's: the same name, or the same family name
    with the same first initial ("R. Pascanu" for "Razvan Pascanu")."""
    if parsed.is_organization:
        return False
    if name_key(parsed.display_name) == author.name_key:
        return True
    given = name_key(parsed.given_name)
    return (
        name_key(parsed.family_name) == name_key(author.family_name)
        and bool(given)
        and given[:1] == name_key(author.given_name)[:1]
    )
