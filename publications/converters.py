"""URL converters of the pages that export citations: registered when a URLconf imports this
module (the publication pages and the profiles' exports both do)."""

from django.urls import register_converter

from .exports import FORMATS


class ExportFormatConverter:
    """A citation file extension: bib, ris or json."""

    regex = "|".join(FORMATS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormatConverter, "export_format")
