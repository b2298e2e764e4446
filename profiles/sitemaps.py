"""The sitemap of researchers' profiles and research topics."""

from core.sitemaps import BilingualSitemap

from .models import Researcher, ResearchTopic


class ResearcherSitemap(BilingualSitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self):
        return Researcher.objects.published().order_by("pk")

    def lastmod(self, researcher):
        return researcher.updated_at


class TopicSitemap(BilingualSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return ResearchTopic.objects.order_by("pk")
