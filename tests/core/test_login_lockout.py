"""Repeated failed sign-ins to the admin lock that username out from that address for a while."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from tests.pages import text_of

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
WRONG_PASSWORD = "Tr0ub4dor&3"
EDITOR_ADDRESS = "192.0.2.10"
OTHER_ADDRESS = "192.0.2.20"
PROXY_ADDRESS = "10.0.0.2"
LOCKED_STATUS = 429


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        username="editor", password=PASSWORD, is_staff=True
    )


@pytest.fixture
def colleague(django_user_model):
    return django_user_model.objects.create_user(
        username="colleague", password=PASSWORD, is_staff=True
    )


def sign_in(
    client: Client,
    username: str,
    password: str,
    *,
    address: str = EDITOR_ADDRESS,
    language: str = "en",
    **headers: str,
):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        headers={"Accept-Language": language, **headers},
        REMOTE_ADDR=address,
    )


def fail(client: Client, username: str, times: int, **kwargs) -> list:
    return [sign_in(client, username, WRONG_PASSWORD, **kwargs) for _ in range(times)]


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("admin:index")


def wrong_password_error(language: str) -> str:
    """The admin's own message for a wrong username or password, in that language."""
    username = get_user_model()._meta.get_field("username")
    with translation.override(language):
        message = AdminAuthenticationForm.error_messages["invalid_login"] % {
            "username": username.verbose_name
        }
        return " ".join(str(message).split())


def lockout_wording(language: str, *, limit: int, minutes: int) -> list[str]:
    """The sentences of templates/admin/locked_out.html, in that language."""
    with translation.override(language):
        return [
            gettext("Sign-in temporarily blocked"),
            ngettext(
                "Signing in failed %(limit)s time in a row for this username from your address.",
                "Signing in failed %(limit)s times in a row for this username from your address.",
                limit,
            )
            % {"limit": limit},
            ngettext(
                "To protect the account, signing in is blocked for %(minutes)s minute.",
                "To protect the account, signing in is blocked for %(minutes)s minutes.",
                minutes,
            )
            % {"minutes": minutes},
            gettext(
                "Try again later, or ask an administrator to unlock the account if you need it now."
            ),
            gettext("Back to the sign-in page"),
        ]


def assert_locked_out(response, *, language: str = "en") -> None:
    assert response.status_code == LOCKED_STATUS
    text = text_of(response)
    for sentence in lockout_wording(language, limit=5, minutes=15):
        assert sentence in text
    assert 'name="password"' not in response.content.decode()


def test_four_failures_show_the_usual_error_and_the_fifth_locks_out(client, editor, settings):
    assert settings.AXES_FAILURE_LIMIT == 5

    *first_four, fifth = fail(client, "editor", 5)

    for response in first_four:
        assert response.status_code == 200
        assert wrong_password_error("en") in text_of(response)
        assert 'name="password"' in response.content.decode()
    assert_locked_out(fifth)
    assert AccessAttempt.objects.get(username="editor").failures_since_start == 5


def test_while_locked_out_even_the_right_password_is_refused(client, editor):
    fail(client, "editor", 5)

    response = sign_in(client, "editor", PASSWORD)

    assert_locked_out(response)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index"), REMOTE_ADDR=EDITOR_ADDRESS).status_code == 302


def test_the_lockout_page_is_in_english_for_an_english_browser(client, editor):
    fail(client, "editor", 4)

    response = sign_in(client, "editor", WRONG_PASSWORD, language="en")

    assert '<html lang="en"' in response.content.decode()
    assert_locked_out(response, language="en")
    assert "Signing in failed 5 times in a row for this username from your address." in (
        text_of(response)
    )
    assert "signing in is blocked for 15 minutes" in text_of(response)


def test_the_lockout_page_follows_a_french_browser(client, editor):
    fail(client, "editor", 4, language="fr")

    response = sign_in(client, "editor", WRONG_PASSWORD, language="fr")

    assert '<html lang="fr"' in response.content.decode()
    assert "Administration du répertoire de la recherche" in text_of(response)
    assert_locked_out(response, language="fr")


def test_the_lockout_wording_has_a_french_translation():
    french = lockout_wording("fr", limit=5, minutes=15)
    english = lockout_wording("en", limit=5, minutes=15)

    untranslated = [sentence for sentence in french if sentence in english]
    assert not untranslated


def test_another_username_from_the_same_address_can_still_sign_in(client, editor, colleague):
    fail(client, "editor", 5)

    assert signed_in(sign_in(client, "colleague", PASSWORD))


def test_the_same_username_from_another_address_is_not_locked_out(client, editor):
    fail(client, "editor", 5)

    wrong = sign_in(Client(), "editor", WRONG_PASSWORD, address=OTHER_ADDRESS)
    right = sign_in(Client(), "editor", PASSWORD, address=OTHER_ADDRESS)

    assert wrong.status_code == 200
    assert wrong_password_error("en") in text_of(wrong)
    assert signed_in(right)
    assert_locked_out(sign_in(client, "editor", PASSWORD))


def test_behind_a_proxy_the_address_comes_from_the_configured_header(client, editor, settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"

    visitor = {"X-Real-IP": "198.51.100.7"}
    other_visitor = {"X-Real-IP": "198.51.100.8"}

    fail(client, "editor", 5, address=PROXY_ADDRESS, **visitor)
    locked = sign_in(client, "editor", PASSWORD, address=PROXY_ADDRESS, **visitor)
    elsewhere = sign_in(Client(), "editor", PASSWORD, address=PROXY_ADDRESS, **other_visitor)

    assert_locked_out(locked)
    assert signed_in(elsewhere)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]


def test_behind_a_proxy_failures_are_counted_against_the_visitor_address(client, editor, settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"

    fail(client, "editor", 3, address=PROXY_ADDRESS, **{"X-Real-IP": "198.51.100.7"})

    attempt = AccessAttempt.objects.get(username="editor")
    assert attempt.ip_address == "198.51.100.7"
    assert attempt.failures_since_start == 3


def test_without_the_setting_a_visitor_cannot_escape_by_sending_the_header(client, editor):
    for number in range(5):
        response = sign_in(
            client, "editor", WRONG_PASSWORD, **{"X-Real-IP": f"198.51.100.{number + 1}"}
        )

    assert_locked_out(response)
    assert AccessAttempt.objects.get(username="editor").ip_address == EDITOR_ADDRESS


def age_attempts(by: timedelta) -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - by)


def test_the_lockout_lasts_the_whole_cool_off(client, editor, settings):
    fail(client, "editor", 5)

    age_attempts(settings.AXES_COOLOFF_TIME - timedelta(minutes=1))

    assert_locked_out(sign_in(client, "editor", PASSWORD))


def test_after_the_cool_off_the_right_password_works_again(client, editor, settings):
    fail(client, "editor", 5)

    age_attempts(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))

    assert signed_in(sign_in(client, "editor", PASSWORD))


def test_a_shorter_cool_off_setting_is_honoured(client, editor, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    *_, locked = fail(client, "editor", 5)

    assert "signing in is blocked for 1 minute." in text_of(locked)
    age_attempts(timedelta(minutes=1, seconds=1))
    assert signed_in(sign_in(client, "editor", PASSWORD))


def test_a_successful_sign_in_resets_the_count(client, editor):
    fail(client, "editor", 4)

    assert signed_in(sign_in(client, "editor", PASSWORD))
    assert not AccessAttempt.objects.filter(username="editor").exists()

    client.logout()
    *first_four, fifth = fail(client, "editor", 5)
    assert [response.status_code for response in first_four] == [200] * 4
    assert_locked_out(fifth)
