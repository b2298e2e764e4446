"""Nothing on the site breaks its Content Security Policy: public pages and the editors' admin,
used in a real browser, report no violation and log no error."""

import re
from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from profiles.models import Researcher
from publications.models import Publication

pytestmark = pytest.mark.browser

DEMO_SLUG = "razvan-pascanu"
DEMO_TOPIC = "apprentissage-par-renforcement"
DEMO_PUBLICATION_TITLE = "Attention as a Hypernetwork"
SUPERUSER_PASSWORD = "a long and unguessable passphrase"
BIBTEX_ENTRY = """@article{hopper1952,
  title = {The Education of a Computer},
  author = {Hopper, Grace},
  year = {1952},
  journal = {Proceedings of the ACM National Meeting}
}"""

# Sent to the test for every violation, from the first line of every document on.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
    page: document.location.pathname,
  });
}, true);
"""


@dataclass
class Problems:
    """What the browser reported while the test used the site."""

    violations: list[dict] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def add_violation(self, violation: dict) -> None:
        self.violations.append(violation)

    def add_console_message(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def add_page_error(self, error) -> None:
        self.console_errors.append(f"uncaught: {error}")

    def report(self) -> str:
        lines = [f"CSP violation: {violation}" for violation in self.violations]
        lines += [f"console error: {message}" for message in self.console_errors]
        return "\n".join(lines)


@pytest.fixture
def watched(page: Page) -> tuple[Page, Problems]:
    """A browser page whose CSP violations, console errors and uncaught exceptions are kept."""
    problems = Problems()
    page.expose_function("reportCspViolation", problems.add_violation)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", problems.add_console_message)
    page.on("pageerror", problems.add_page_error)
    return page, problems


def visit(page: Page, address: str) -> None:
    response = page.goto(address)
    assert response.status == 200, f"{address} answered {response.status}"
    settle(page)


def settle(page: Page) -> None:
    """Let reports of what the page just did reach the test.

    The page's load event comes after every script, style sheet and image it asked for, each
    allowed or blocked (a blocked one reports its violation first); a frame later, what its
    scripts did on load has run too. Waiting for the network to fall silent instead would let a
    request the browser keeps open, such as one left over from the page before, stall the test.
    """
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise((resolve) => requestAnimationFrame(() => resolve()))")


def assert_clean(problems: Problems) -> None:
    report = problems.report()
    assert not report, report


def public_address(name: str, lang: str = "fr", **kwargs) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_public_pages_keep_to_the_policy(demo_site, watched, lang):
    page, problems = watched
    publication = Publication.objects.get(title=DEMO_PUBLICATION_TITLE)

    visit(page, public_address("profiles:researcher_list", lang))
    expect(page.locator(".researcher-card__name")).to_have_count(1)

    visit(page, public_address("profiles:researcher_detail", lang, slug=DEMO_SLUG))
    first = page.locator("article.publication details").first
    first.locator("summary").click()
    expect(first).to_have_attribute("open", "")

    visit(page, public_address("publications:publication_list", lang))
    form = page.get_by_role("search")
    form.locator("input[name=topic]").first.check()
    form.locator("select[name=year_from]").select_option(index=1)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?.*topic="))
    settle(page)

    visit(page, public_address("publications:publication_detail", lang, pk=publication.pk))
    visit(page, public_address("profiles:topic_detail", lang, slug=DEMO_TOPIC))
    settle(page)

    assert_clean(problems)


def sign_in(page: Page, django_user_model) -> None:
    django_user_model.objects.create_superuser(
        username="curator", email="curator@example.org", password=SUPERUSER_PASSWORD
    )
    visit(page, reverse("admin:login"))
    page.locator("#id_username").fill("curator")
    page.locator("#id_password").fill(SUPERUSER_PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#user-tools")).to_be_visible()


def open_autocomplete(page: Page, select_id: str) -> None:
    """Open the autocomplete dropdown next to a <select>, and wait for its server results."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    expect(page.locator(".select2-container--open .select2-results__option").first).to_be_visible()
    page.keyboard.press("Escape")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_admin_keeps_to_the_policy(demo_site, watched, django_user_model, lang):
    page, problems = watched
    # The admin has no language prefix: it speaks the browser's language, and loads that
    # language's scripts (the autocomplete's messages among them).
    page.set_extra_http_headers({"Accept-Language": lang})
    researcher = Researcher.objects.get(slug=DEMO_SLUG)
    publication = Publication.objects.get(title=DEMO_PUBLICATION_TITLE)

    sign_in(page, django_user_model)
    visit(page, reverse("admin:index"))
    expect(page.locator("html")).to_have_attribute("lang", lang)

    visit(page, reverse("admin:profiles_researcher_change", args=[researcher.pk]))
    tab = page.get_by_role("tab", name="EN").first
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(page.locator("#id_position_en")).to_be_visible()
    open_autocomplete(page, "id_topics")

    visit(page, reverse("admin:profiles_researcher_add"))
    page.locator("#id_given_name").press_sequentially("Ada")
    page.locator("#id_family_name").press_sequentially("Lovelace")
    expect(page.locator("#id_slug")).to_have_value("ada-lovelace")

    visit(page, reverse("admin:publications_publication_change", args=[publication.pk]))
    expect(page.locator("#authorships-group tr.form-row.has_original")).not_to_have_count(0)
    open_autocomplete(page, "id_topics")
    open_autocomplete(page, "id_authorships-0-author")
    page.locator("#authorships-group .add-row a").click()
    settle(page)

    visit(page, reverse("admin:publications_publication_import_bibtex"))
    page.locator("textarea[name=text]").fill(BIBTEX_ENTRY)
    page.locator("#content-main input[type=submit]").click()
    expect(page.locator("input[name=confirm]")).to_have_count(1)
    settle(page)

    changelist = reverse("admin:publications_publication_changelist")
    visit(page, f"{changelist}?is_published__exact=1&kind__exact=inproceedings")
    page.locator("#changelist-filter").get_by_role("link", name=re.compile("2024")).first.click()
    expect(page).to_have_url(re.compile(r"year(__exact)?=2024"))
    visit(page, reverse("admin:profiles_researcher_changelist"))
    settle(page)

    assert_clean(problems)
