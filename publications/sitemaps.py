"""The sitemap of published publications."""

from core.sitemaps import BilingualSitemap

from .models import Publication


class PublicationSitemap(BilingualSitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Publication.objects.published().order_by("pk")

    def lastmod(self, publication):
        return publication.updated_at
