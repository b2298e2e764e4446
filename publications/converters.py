"""URL converters of the publication pages."""

from .exports import FORMATS


class ExportFormatConverter:
    """A citation file extension: bib, ris or json."""

    regex = "|".join(FORMATS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
