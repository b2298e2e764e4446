"""Editing entries in the admin as an editor does: their addresses, and saving their forms."""

from django.urls import reverse

from tests.pages import form_data


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def history_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


def save_form(client, url: str, form_id: str, **changes):
    """Open the form, change some fields as an editor would, and save it."""
    data = form_data(client.get(url), form_id)
    data.update({name: [value] for name, value in changes.items()})
    return client.post(url, data)
