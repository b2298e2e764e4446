"""A long facet: its chosen and most used options at once, the rest behind "+N more"."""

from core.listing import FACET_SHOWN, FACET_SLACK, FacetOption, facet_parts


def options(counts: list[int], chosen: set[int] = frozenset()) -> list[FacetOption]:
    """Options named a, b, c... in that (alphabetical) order, with these counts."""
    return [
        FacetOption(chr(ord("a") + n), chr(ord("A") + n), count, n in chosen)
        for n, count in enumerate(counts)
    ]


def values(shown: list[FacetOption]) -> list[str]:
    return [option.value for option in shown]


def test_a_short_facet_shows_every_option_in_its_own_order():
    short = options([1] * (FACET_SHOWN + FACET_SLACK))

    parts = facet_parts(short)

    assert parts.shown == short
    assert parts.more == []


def test_a_long_facet_shows_the_most_used_first_and_keeps_the_rest_in_order():
    counts = [1, 9, 3, 9, 2, 8, 1, 7, 1, 6, 5, 4, 1, 1, 10, 1]
    parts = facet_parts(options(counts), limit=5)

    # Most used first; equal counts keep the facet's order (b before d).
    assert values(parts.shown) == ["o", "b", "d", "f", "h"]
    assert values(parts.more) == ["a", "c", "e", "g", "i", "j", "k", "l", "m", "n", "p"]


def test_chosen_options_are_always_shown_first_whatever_their_count():
    counts = [1, 9, 3, 9, 2, 8, 1, 7, 1, 6, 5, 4, 1, 1, 10, 1]
    parts = facet_parts(options(counts, chosen={0, 12}), limit=5)

    assert values(parts.shown) == ["a", "m", "o", "b", "d"]
    assert all(option.selected for option in parts.shown[:2])
    assert not any(option.selected for option in parts.more)
    assert sorted(values(parts.shown + parts.more)) == values(options(counts))
