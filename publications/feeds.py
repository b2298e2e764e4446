"""RSS and Atom feeds of the latest publications: all, one researcher's, one topic's.

Links name the site's public address (``settings.PUBLIC_URL``), not the host a request named:
a feed is cached once for every request. Stored text goes through
``without_control_characters``: XML cannot hold control characters, and a feed must never fail
on what an import or an older version stored.
"""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from core.addresses import public_url
from core.text import without_control_characters
from profiles.models import Researcher, ResearchTopic

from .models import Publication

FEED_SIZE = 30


class LatestPublicationsFeed(Feed):
    """The latest published publications (RSS)."""

    # The feed's own address, reversed with the feed's object's slug, if any.
    url_name = "feed_rss"

    def title(self, obj=None):
        return _("Latest publications · Research directory")

    def description(self, obj=None):
        return _("The newest publications of the institute's researchers.")

    def link(self, obj=None):
        return public_url(reverse("publications:publication_list"))

    def feed_url(self, obj=None):
        kwargs = {"slug": obj.slug} if obj is not None else None
        return public_url(reverse(self.url_name, kwargs=kwargs))

    def base_items(self):
        return Publication.objects.published().with_authors().order_by("-created_at", "-pk")

    def items(self, obj=None):
        return self.base_items()[:FEED_SIZE]

    def item_title(self, item: Publication) -> str:
        # Plain text in RSS as in Atom (the RSS Advisory Board's profile: no markup in titles),
        # which the feed generator escapes once for XML. Django's default item_title escapes it
        # a second time, and readers then show "Costs &amp; benefits".
        return without_control_characters(item.title)

    def item_description(self, item: Publication) -> str:
        """Authors, venue and year, abstract: one paragraph each, as HTML that readers show,
        so that what editors typed is escaped (once: the feed generator then escapes the HTML
        for XML, as any markup in a description is)."""
        parts = [self.item_author_name(item), f"{item.venue} {item.year}".strip(), item.abstract]
        return format_html_join(
            "\n", "<p>{}</p>", ((without_control_characters(part),) for part in parts if part)
        )

    def item_author_name(self, item: Publication) -> str:
        """The authors; editors of the book or proceedings are not the item's authors."""
        names = ", ".join(a.author.display_name for a in item.author_authorships)
        return without_control_characters(names)

    def item_link(self, item: Publication) -> str:
        return public_url(item.get_absolute_url())

    def item_pubdate(self, item: Publication):
        return item.created_at

    def item_updateddate(self, item: Publication):
        return item.updated_at

    def item_guid(self, item: Publication) -> str:
        return f"publication-{item.pk}"

    item_guid_is_permalink = False


class LatestPublicationsAtomFeed(LatestPublicationsFeed):
    feed_type = Atom1Feed
    subtitle = LatestPublicationsFeed.description
    url_name = "feed_atom"


class ResearcherPublicationsFeed(LatestPublicationsFeed):
    """One researcher's latest publications (RSS)."""

    url_name = "researcher_feed_rss"

    def get_object(self, request, slug):
        return get_object_or_404(Researcher.objects.published(), slug=slug)

    def title(self, obj):
        name = without_control_characters(obj.full_name)
        return _("Publications of %(name)s · Research directory") % {"name": name}

    def description(self, obj):
        name = without_control_characters(obj.full_name)
        return _("The newest publications of %(name)s.") % {"name": name}

    def link(self, obj):
        return public_url(obj.get_absolute_url())

    def items(self, obj):
        return self.base_items().for_researcher(obj)[:FEED_SIZE]


class ResearcherPublicationsAtomFeed(ResearcherPublicationsFeed):
    feed_type = Atom1Feed
    subtitle = ResearcherPublicationsFeed.description
    url_name = "researcher_feed_atom"


class TopicPublicationsFeed(LatestPublicationsFeed):
    """The latest publications on one research topic (RSS)."""

    url_name = "topic_feed_rss"

    def get_object(self, request, slug):
        # By its slug in either language: a reader subscribed before each language had its own
        # keeps its feed (whose own address then names this language's slug).
        topic = ResearchTopic.objects.named_by([slug]).order_by("pk").first()
        if topic is None:
            raise Http404
        return topic

    def title(self, obj):
        topic = without_control_characters(obj.name)
        return _("Publications on %(topic)s · Research directory") % {"topic": topic}

    def description(self, obj):
        topic = without_control_characters(obj.name)
        return _("The newest publications on %(topic)s.") % {"topic": topic}

    def link(self, obj):
        return public_url(obj.get_absolute_url())

    def items(self, obj):
        return self.base_items().filter(topics=obj)[:FEED_SIZE]


class TopicPublicationsAtomFeed(TopicPublicationsFeed):
    feed_type = Atom1Feed
    subtitle = TopicPublicationsFeed.description
    url_name = "topic_feed_atom"
