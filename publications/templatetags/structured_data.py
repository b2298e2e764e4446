"""Template filters that write machine-readable metadata."""

from django import template

from publications.structured_data import json_ld_script

register = template.Library()

register.filter("ld_json", json_ld_script)
