"""How the services write a row they made or changed: with no control character in its text."""

from collections.abc import Iterable
from typing import TypeVar

from django.db import models

from core.text import fields_without_control_characters

Row = TypeVar("Row", bound=models.Model)

# Rows per INSERT of a bulk write.
BATCH_SIZE = 500
# Rows per UPDATE: Django writes a bulk update as one CASE per field, which SQLite parses into
# a tree it refuses beyond a depth of 1,000.
UPDATE_BATCH_SIZE = 100


def save_validated(row: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Save ``row`` as an admin form would: its text without control characters (which no
    feed or export may meet), validated, constraints included."""
    fields_without_control_characters(row)
    row.full_clean(exclude=exclude)
    row.save()


def ready_for_bulk_write(row: Row) -> Row:
    """``row`` with its text without control characters and what derives from the text
    computed, as save() would: bulk writes skip save()."""
    fields_without_control_characters(row)
    row.refresh_derived_fields()
    return row
