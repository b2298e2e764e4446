"""sitemap.xml: every public page in both languages, with hreflang alternates."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from profiles.models import Researcher, ResearchTopic
from publications.models import Publication


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


class ListPagesSitemap(BilingualSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return ["profiles:researcher_list", "publications:publication_list", "profiles:topic_list"]

    def location(self, item):
        return reverse(item)


class ResearcherSitemap(BilingualSitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self):
        return Researcher.objects.published().order_by("pk")

    def lastmod(self, researcher):
        return researcher.updated_at


class PublicationSitemap(BilingualSitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Publication.objects.published().order_by("pk")

    def lastmod(self, publication):
        return publication.updated_at


class TopicSitemap(BilingualSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return ResearchTopic.objects.order_by("pk")


SITEMAPS = {
    "pages": ListPagesSitemap,
    "researchers": ResearcherSitemap,
    "publications": PublicationSitemap,
    "topics": TopicSitemap,
}
