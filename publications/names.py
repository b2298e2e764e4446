"""People's names as written on papers: split into given and family parts."""

# Lower-case particles that belong to the family name ("Hado van Hasselt", "Tamara von Glehn").
NAME_PARTICLES = frozenset(
    {
        "da",
        "das",
        "de",
        "del",
        "della",
        "der",
        "di",
        "do",
        "dos",
        "du",
        "la",
        "le",
        "ten",
        "ter",
        "van",
        "von",
        "den",
        "y",
        "zu",
    }
)


def split_name(display_name: str) -> tuple[str, str]:
    """Split "Given Names [particles] Family" into (given, family).

    A particle counts only in lower case and before the last word, so "Soham De" keeps "De"
    as his family name while "Hado van Hasselt" has the family name "van Hasselt".
    """
    words = display_name.split()
    if not words:
        return "", ""
    if len(words) == 1:
        return "", words[0]
    start = len(words) - 1
    while start > 1 and words[start - 1] in NAME_PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:])
