"""Root URLs: the admin without a language prefix, public pages under /fr/ and /en/."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core.caching import Parameter, cached_page
from core.sitemaps import NamedPagesSitemap
from core.views import favicon, healthz, robots_txt
from profiles.sitemaps import ResearcherSitemap, TopicSitemap
from publications import feeds
from publications.sitemaps import PublicationSitemap

SITEMAPS = {
    "pages": NamedPagesSitemap(
        ["profiles:researcher_list", "publications:publication_list", "profiles:topic_list"]
    ),
    "researchers": ResearcherSitemap,
    "publications": PublicationSitemap,
    "topics": TopicSitemap,
}

admin.site.site_header = _("Research directory administration")
admin.site.site_title = _("Research directory")
admin.site.index_title = _("Curation")

urlpatterns = [
    # Before the admin's own, whose last pattern answers every address under admin/.
    path("admin/", include("editorial.urls")),
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        cached_page(sitemap, query=(Parameter("p", default="1"),)),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", include("profiles.urls")),
    path(_("publications/"), include("publications.urls")),
    path("feeds/publications.rss", cached_page(feeds.LatestPublicationsFeed()), name="feed_rss"),
    path(
        "feeds/publications.atom", cached_page(feeds.LatestPublicationsAtomFeed()), name="feed_atom"
    ),
    path(
        "feeds/researchers/<slug:slug>.rss",
        cached_page(feeds.ResearcherPublicationsFeed()),
        name="researcher_feed_rss",
    ),
    path(
        "feeds/researchers/<slug:slug>.atom",
        cached_page(feeds.ResearcherPublicationsAtomFeed()),
        name="researcher_feed_atom",
    ),
    path(
        "feeds/topics/<slug:slug>.rss",
        cached_page(feeds.TopicPublicationsFeed()),
        name="topic_feed_rss",
    ),
    path(
        "feeds/topics/<slug:slug>.atom",
        cached_page(feeds.TopicPublicationsAtomFeed()),
        name="topic_feed_atom",
    ),
    prefix_default_language=True,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
