"""What every source adapter shares: its HTTP client, closed with it, and the answer of a source
to the question it does not take (a person's works, or one work's record)."""

import datetime as dt
from collections.abc import Iterator
from typing import ClassVar

from harvest.http import SourceClient

from .base import HarvestedWork, Person


class ClientAdapter:
    """An adapter that reads its source through one ``SourceClient``: the one given (a run or a
    test may share one), or one made from the source's settings. ``close()`` it, or use it in a
    ``with`` block. A source read per person completes no work, and a source read per work finds
    no person's works: each adapter overrides the question its source answers."""

    name: ClassVar[str]

    def __init__(self, client: SourceClient | None = None):
        self.client = client or SourceClient(self.name)

    def close(self) -> None:
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def works_of(self, person: Person, *, since: dt.date | None = None) -> Iterator[HarvestedWork]:
        return iter(())

    def complete(self, work: HarvestedWork) -> HarvestedWork | None:
        return None
