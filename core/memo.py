"""``{% memo %}``: a fragment of a template kept for the current state of the data.

    {% load memo %}
    {% memo profile_header researcher.pk %}...{% endmemo %}

The fragment is kept in the cache of what pages are built from (the ``generational`` cache
alias, scoped to the data's generation and the release), under its name, the values it varies
on and the active language: any change of the data stops it being read, and every entry expires
after the data cache's lifetime (``DJANGO_DATA_CACHE_SECONDS``). No template names a timeout.
"""

from django import template
from django.core.cache.utils import make_template_fragment_key
from django.utils.translation import get_language

from core.caching import generational_cache

register = template.Library()


class MemoNode(template.Node):
    def __init__(self, nodelist, name: str, vary_on: list):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context) -> str:
        vary_on = [get_language(), *(value.resolve(context) for value in self.vary_on)]
        key = make_template_fragment_key(self.name, vary_on)
        store = generational_cache()
        fragment = store.get(key)
        if fragment is None:
            fragment = self.nodelist.render(context)
            store.set(key, fragment)
        return fragment


@register.tag
def memo(parser, token) -> MemoNode:
    """``{% memo name [value ...] %}...{% endmemo %}``."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'memo' needs a fragment name: {% memo name ... %}")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])
