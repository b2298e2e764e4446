"""Authors: matched by name across publications, created once, and the researcher's own record."""

from collections.abc import Iterable

from django.db.models import QuerySet

from core.text import name_key, without_control_characters
from profiles.models import Researcher

from ..bibtex import ParsedAuthor
from ..models import Author
from .saving import BATCH_SIZE, UPDATE_BATCH_SIZE, ready_for_bulk_write, save_validated

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
    save_validated(author, exclude=["name_key"])
    return author, True


class NamedAuthors:
    """Who the names of a batch of entries are: the researcher's own record, a stored author
    (respelt when the names spell it better), or an author created for the name, in a few
    queries for the whole batch."""

    def __init__(self, names: Iterable[ParsedAuthor], researcher_author: Author | None) -> None:
        self.researcher_author = researcher_author
        self._keys: dict[str, str] = {}
        # Each name once: a file names the same people again and again.
        spellings = most_informative(
            parsed for parsed in dict.fromkeys(names) if not self._is_researcher(parsed)
        )
        known = authors_by_key(spellings)
        respelt = [
            known[key]
            for key, parsed in spellings.items()
            if key in known and respell(known[key], parsed)
        ]
        Author.objects.bulk_update(respelt, Author.DERIVED_FIELDS, batch_size=UPDATE_BATCH_SIZE)
        self._stored = dict(known)
        missing = [new_author(parsed) for key, parsed in spellings.items() if key not in known]
        Author.objects.bulk_create(missing, batch_size=BATCH_SIZE)
        known.update((author.name_key, author) for author in missing)
        self._known = known

    def stored(self, parsed: ParsedAuthor) -> Author | None:
        """The author the name was before the batch was written, if any."""
        if self._is_researcher(parsed):
            return self.researcher_author
        return self._stored.get(self._key(parsed))

    def author(self, parsed: ParsedAuthor) -> Author:
        if self._is_researcher(parsed):
            return self.researcher_author
        return self._known[self._key(parsed)]

    def _is_researcher(self, parsed: ParsedAuthor) -> bool:
        return self.researcher_author is not None and is_researcher(parsed, self.researcher_author)

    def _key(self, parsed: ParsedAuthor) -> str:
        name = parsed.display_name
        if name not in self._keys:
            self._keys[name] = name_key(name)
        return self._keys[name]


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
    return ready_for_bulk_write(
        Author(
            display_name=parsed.display_name,
            given_name=parsed.given_name,
            family_name=parsed.family_name,
            suffix=parsed.suffix,
            is_organization=parsed.is_organization,
        )
    )


def respell(author: Author, parsed: ParsedAuthor) -> bool:
    """Give ``author`` the spelling of ``parsed`` when it tells more; whether it did."""
    if informativeness(parsed.display_name) <= informativeness(author.display_name):
        return False
    author.display_name = parsed.display_name
    author.given_name, author.family_name = parsed.given_name, parsed.family_name
    author.suffix = author.suffix or parsed.suffix
    ready_for_bulk_write(author)
    return True


def researcher_author(researcher: Researcher) -> Author:
    """The researcher's own author record, linked (and created) if needed."""
    author = Author.objects.filter(researcher=researcher).first()
    if author is None:
        author, _created = author_get_or_create(display_name=researcher.full_name)
        if author.researcher_id is not None:  # the name belongs to someone else's record
            author = Author(display_name=researcher.full_name)
        author.researcher = researcher
        save_validated(author, exclude=["name_key"])
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
