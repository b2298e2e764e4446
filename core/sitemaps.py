"""sitemap.xml's building blocks: every public page in both languages, with hreflang alternates,
at the site's public address. Each app lists its own pages (its ``sitemaps`` module); the
project's URLs put them together."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class BilingualSitemap(Sitemap):
    """Addresses at the site's public address (``settings.PUBLIC_URL``), not at the host a
    request named: the sitemap is cached once for every request."""

    i18n = True
    alternates = True
    x_default = False  # every address has a language prefix: no language-less page to name

    def get_protocol(self, protocol=None):
        return urlsplit(settings.PUBLIC_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.PUBLIC_URL).netloc


class NamedPagesSitemap(BilingualSitemap):
    """Pages named by their URL names: the lists, which change every day."""

    changefreq = "daily"
    priority = 0.8

    def __init__(self, url_names: list[str]):
        super().__init__()
        self.url_names = url_names

    def items(self):
        return self.url_names

    def location(self, item):
        return reverse(item)
