"""Text as it is stored and compared: control characters removed on every write path, and
accent- and case-insensitive keys for sorting and matching names and titles as people read them."""

import re
import unicodedata
from collections.abc import Callable

from django.db import models

# C0 and C1 control characters, DEL included, but tab and line feed: they cannot be written in
# XML 1.0 (feeds, sitemaps), they break RIS and terminals, and no title or name needs them.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n?")


def without_control_characters(text: str) -> str:
    """Return ``text`` with its control characters removed; line breaks become ``\\n``."""
    return _CONTROL_CHARACTERS.sub("", _LINE_BREAKS.sub("\n", text))


# Letters that Unicode does not decompose into a base letter plus an accent.
_SPECIAL_LETTERS = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "TH",
    }
)
_NOT_WORD = re.compile(r"[^\w]+")
# The Unicode blocks of combining marks (accents once separated from their letters).
_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents: "Réseaux à Łódź" -> "reseaux a lodz"."""
    if text.isascii():  # most text: nothing to strip, and lower() is casefold() here
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS))
    return _COMBINING_MARKS.sub("", decomposed).casefold()


def collation_key(text: str) -> tuple[str, str]:
    """Sort key for alphabetical order ignoring accents and case, ties broken by the exact text."""
    return (fold(text), text)


def name_key(text: str) -> str:
    """Matching key for a person's name: accents, case and punctuation ignored."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).replace("_", " ").split())


def title_key(text: str) -> str:
    """Matching key for a title: case, accents, spaces and punctuation ignored."""
    return "".join(_NOT_WORD.sub(" ", fold(text)).replace("_", " ").split())


def text_field_names(model: type[models.Model]) -> list[str]:
    """The stored text columns of ``model``: every CharField and TextField, translated ones
    (name_fr, name_en) included."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
    ]


def fields_without_control_characters(instance: models.Model) -> list[str]:
    """Remove control characters from the text fields of ``instance``, in memory; the names of
    the fields that held some."""
    changed = []
    for name in text_field_names(type(instance)):
        value = getattr(instance, name)
        if isinstance(value, str) and (cleaned := without_control_characters(value)) != value:
            setattr(instance, name, cleaned)
            changed.append(name)
    return changed


def rows_without_control_characters(
    model: type[models.Model],
    *,
    refresh: Callable[[models.Model], None] | None = None,
    batch_size: int = 500,
) -> int:
    """Remove control characters from the stored text of every row of ``model`` (a migration's
    historical model too); ``refresh(row)`` recomputes what derives from the text. The number of
    rows changed."""
    names = text_field_names(model)
    batch: list[models.Model] = []
    total = 0
    for row in model._base_manager.only("pk", *names).iterator(chunk_size=batch_size):
        if fields_without_control_characters(row):
            if refresh is not None:
                refresh(row)
            batch.append(row)
        if len(batch) == batch_size:
            model._base_manager.bulk_update(batch, names)
            total, batch = total + len(batch), []
    model._base_manager.bulk_update(batch, names)
    return total + len(batch)
