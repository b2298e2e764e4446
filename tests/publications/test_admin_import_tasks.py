"""The admin's BibTeX import of a large text: previewed and imported by the task worker, with a
progress bar the editor may leave and come back to; failures said in plain words, nothing half
written, nothing left behind."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from publications.bibtex import MAX_FILE_BYTES, file_too_large_message
from publications.models import Author, Authorship, PendingImport, Publication
from publications.tasks import ImportProgress
from tests.pages import text_of

URL = reverse("admin:publications_publication_import_bibtex")
ENTRIES = 600  # more than one batch of the import (500), so that progress is told twice

# The worker runs for real: it commits, so the tests do too. Between such tests the database is
# emptied, the rows migrations wrote (the Editors group) included, so the editor here holds the
# permissions themselves.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor(django_user_model):
    """A staff member who may curate publications, not a superuser."""
    user = django_user_model.objects.create_user(
        username="editor", password="correct horse battery staple", is_staff=True
    )
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["profiles", "publications"])
    )
    return user


def bibtex(count: int) -> str:
    """``count`` distinct journal articles, as a publication list exports them."""
    return "\n".join(
        f"@article{{entry{number},\n"
        f"  title = {{Sheep counting with transformers, part {number}}},\n"
        f"  author = {{Lovelace, Ada and Babbage, Charles and Hive, Queen{number % 7}}},\n"
        f"  journal = {{Journal of Sheep}},\n"
        f"  year = {{{2000 + number % 25}}},\n"
        f"  doi = {{10.1234/sheep.{number}}},\n"
        f"}}\n"
        for number in range(count)
    )


@pytest.fixture
def in_background(settings):
    """Texts over 10 kB go to the worker (a real site sends them there over 1 MB)."""
    settings.BIBTEX_IMPORT_INLINE_MAX_BYTES = 10_000


def run_worker() -> str:
    """The database backend's worker, as `make worker` runs it, until no task is left."""
    output = StringIO()
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", stdout=output)
    return output.getvalue()


def upload(client: Client, text: str, name: str = "list.bib"):
    file = SimpleUploadedFile(name, text.encode(), content_type="text/x-bibtex")
    return client.post(URL, {"file": file}, HTTP_ACCEPT_LANGUAGE="en")


def get(client: Client, url: str):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en")


def test_a_large_file_is_previewed_then_imported_by_the_worker(editor_client, in_background):
    response = upload(editor_client, bibtex(ENTRIES))

    assert response.status_code == 302
    preview_url = response["Location"]
    waiting = get(editor_client, preview_url)
    assert "<progress" in waiting.content.decode()
    assert "Waiting for a worker to start it…" in text_of(waiting)
    assert PendingImport.objects.get().task_id in preview_url

    run_worker()

    preview = get(editor_client, preview_url)
    text = text_of(preview)
    assert "Preview of list.bib" in text
    assert f"{ENTRIES} new, 0 other versions, 0 already present" in text
    assert "Entries 1 to 500 of 600 (page 1 of 2)" in text
    assert 'name="confirm"' in preview.content.decode()
    assert Publication.objects.count() == 0  # a preview writes nothing
    task_id = PendingImport.objects.get().task_id
    assert ImportProgress(task_id).read() == (ENTRIES, ENTRIES)
    assert "part 599" in text_of(get(editor_client, f"{preview_url}?page=2"))

    pending = PendingImport.objects.get()
    response = editor_client.post(URL, {"confirm": pending.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    import_url = response["Location"]
    assert "<progress" in get(editor_client, import_url).content.decode()

    run_worker()

    result = get(editor_client, import_url)
    text = text_of(result)
    assert f"BibTeX imported: {ENTRIES} created, 0 other versions" in text
    assert "What each entry became" in text
    first = Publication.objects.get(doi="10.1234/sheep.0")
    change_url = reverse("admin:publications_publication_change", args=[first.pk])
    assert f'<a href="{change_url}">Sheep counting with transformers, part 0</a>' in (
        result.content.decode()
    )
    assert Publication.objects.count() == ENTRIES
    assert not PendingImport.objects.exists()  # the 20 MB text does not stay

    listed = text_of(get(editor_client, URL))
    assert "Your imports of the last day" in listed
    assert re.search(r"Import of list\.bib [^|]{1,40} finished Preview of list\.bib", listed)


def test_the_page_shows_how_far_a_running_task_is(editor_client, in_background):
    response = upload(editor_client, bibtex(ENTRIES))
    task = DBTaskResult.objects.get()
    task.claim("a-worker")  # what a worker does as it starts the task
    ImportProgress(str(task.id)).update(250, ENTRIES)  # what the import tells as it goes

    page = get(editor_client, response["Location"])
    status = get(editor_client, f"{response['Location']}status/").json()

    html = page.content.decode()
    assert '<progress id="import-progress-bar"' in html
    assert 'max="600" value="250"' in html
    assert "250 of 600 publications compared with the stored ones" in text_of(page)
    assert "You may leave this page" in text_of(page)
    assert "import_progress.js" in html
    assert status == {
        "finished": False,
        "done": 250,
        "total": ENTRIES,
        "text": "250 of 600 publications compared with the stored ones",
    }


@pytest.fixture
def database_refuses_authorships():
    """A trigger that makes the database refuse every new author list: a real refusal,
    halfway through the import (after its publications are written)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_authorship() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'authorships are refused'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_authorship BEFORE INSERT ON publications_authorship "
                "FOR EACH ROW EXECUTE FUNCTION refuse_authorship()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_authorship BEFORE INSERT ON publications_authorship "
                "BEGIN SELECT RAISE(ABORT, 'authorships are refused'); END"
            )
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER refuse_authorship ON publications_authorship")
            cursor.execute("DROP FUNCTION refuse_authorship()")
        else:
            cursor.execute("DROP TRIGGER refuse_authorship")


def test_a_failed_import_writes_nothing_keeps_nothing_and_says_why(
    editor_client, in_background, request
):
    preview_url = upload(editor_client, bibtex(ENTRIES))["Location"]
    run_worker()
    assert 'name="confirm"' in get(editor_client, preview_url).content.decode()
    request.getfixturevalue("database_refuses_authorships")

    pending = PendingImport.objects.get()
    import_url = editor_client.post(URL, {"confirm": pending.pk})["Location"]
    run_worker()

    page = get(editor_client, import_url)
    assert page.status_code == 200
    text = text_of(page)
    assert "The database refused the changes (authorships are refused" in text
    assert "Nothing was imported." in text
    assert "Traceback" not in text
    assert Publication.objects.count() == 0
    assert Author.objects.count() == 0
    assert Authorship.objects.count() == 0
    assert not PendingImport.objects.exists()
    assert DBTaskResult.objects.get(id=import_url.split("/")[-2]).status == "FAILED"
    assert re.search(r"Import of list\.bib [^|]{1,40} failed", text_of(get(editor_client, URL)))


def test_an_import_cancelled_before_the_worker_starts_it_says_so(editor_client, in_background):
    preview_url = upload(editor_client, bibtex(ENTRIES))["Location"]
    pending = PendingImport.objects.get()

    response = editor_client.post(URL, {"cancel": pending.pk}, HTTP_ACCEPT_LANGUAGE="en")
    run_worker()

    assert "The import was cancelled: nothing was imported." in text_of(
        get(editor_client, response["Location"])
    )
    assert not PendingImport.objects.exists()
    page = text_of(get(editor_client, preview_url))
    assert "This import was cancelled, or it expired, before it could run." in page


def test_a_small_preview_runs_in_the_request_and_its_cancel_deletes_it(editor_client):
    response = upload(editor_client, bibtex(3))
    assert response.status_code == 200
    assert "3 new, 0 other versions" in text_of(response)
    pending = PendingImport.objects.get()
    assert (pending.state, pending.task_id, pending.source) == ("previewed", "", "list.bib")
    listed = get(editor_client, URL)
    assert "waiting for confirmation" in text_of(listed)
    again = get(
        editor_client, reverse("admin:publications_publication_import_pending", args=[pending.pk])
    )
    assert "3 new, 0 other versions" in text_of(again)

    editor_client.post(URL, {"cancel": pending.pk})

    assert not PendingImport.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_someone_else_cannot_see_an_import_task(editor_client, admin_client, in_background):
    preview_url = upload(admin_client, bibtex(ENTRIES))["Location"]

    assert get(editor_client, preview_url).status_code == 404
    assert get(editor_client, f"{preview_url}status/").status_code == 404
    assert get(admin_client, preview_url).status_code == 200


def test_abandoned_imports_expire(editor_client, editor):
    old = PendingImport.objects.create(text=bibtex(2), created_by=editor)
    fresh = PendingImport.objects.create(text=bibtex(2), created_by=editor)
    PendingImport.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - PendingImport.LIFETIME - timedelta(minutes=1)
    )
    output = StringIO()

    call_command("clearimports", stdout=output)

    assert list(PendingImport.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert "1 abandoned BibTeX imports deleted." in output.getvalue()


def test_a_new_import_clears_the_abandoned_ones(editor_client, admin_user):
    old = PendingImport.objects.create(text=bibtex(2), created_by=admin_user)
    PendingImport.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))

    upload(editor_client, bibtex(2))

    assert list(PendingImport.objects.values_list("created_by", flat=True)) == [
        editor_client.session["_auth_user_id"] and int(editor_client.session["_auth_user_id"])
    ]


# What the form says of a text it cannot take ---------------------------------------------


def test_pasted_text_over_the_upload_limit_shows_the_form_with_a_message(editor_client):
    too_long = "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = editor_client.post(URL, {"text": too_long}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 303
    form = get(editor_client, response["Location"])
    assert form.status_code == 200
    assert (
        "The pasted text is too long: a form can send at most 2.5 MB of text. Save it as a "
        ".bib file and upload the file instead (up to 20 MB)."
    ) in text_of(form)
    assert 'name="text"' in form.content.decode()
    assert not PendingImport.objects.exists()


def test_the_form_still_checks_its_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post(URL, {"text": bibtex(2)})

    assert response.status_code == 403
    assert not PendingImport.objects.exists()


def test_a_file_just_over_the_limit_says_by_how_much(editor_client):
    file = SimpleUploadedFile("big.bib", b"@" + b" " * MAX_FILE_BYTES)

    response = editor_client.post(URL, {"file": file}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "The file is too large: 20,971,521 bytes, 1 byte over the limit of 20 MB." in text_of(
        response
    )


@pytest.mark.parametrize(
    ("excess", "over"),
    [(2, "2 bytes"), (1536, "1.5 KB"), (3 * 1024 * 1024 // 2, "1.5 MB")],
)
def test_the_size_message_shows_the_difference(excess, over):
    with translation.override("en"):
        with_english = file_too_large_message(MAX_FILE_BYTES + excess)

    assert f"{over} over the limit of 20 MB." in with_english


def test_the_command_says_by_how_much_a_file_is_over(tmp_path):
    path = tmp_path / "big.bib"
    path.write_bytes(b"@" + b" " * (MAX_FILE_BYTES + 9))

    with pytest.raises(Exception, match="10 bytes over the limit of 20 MB"):
        call_command("import_bibtex", str(path))


# A worker in a process of its own, as `make worker` starts it ------------------------------


def test_a_worker_process_imports_a_large_file(editor_client, in_background, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database lives in this process's memory")
    preview_url = upload(editor_client, bibtex(ENTRIES))["Location"]
    database = connection.settings_dict
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
    }
    worker = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload"]

    subprocess.run(
        worker, cwd=Path(django_settings.BASE_DIR), env=environment, check=True, timeout=300
    )

    assert f"{ENTRIES} new, 0 other versions" in text_of(get(editor_client, preview_url))
    pending = PendingImport.objects.get()
    import_url = editor_client.post(URL, {"confirm": pending.pk})["Location"]
    subprocess.run(
        worker, cwd=Path(django_settings.BASE_DIR), env=environment, check=True, timeout=300
    )
    assert f"BibTeX imported: {ENTRIES} created" in text_of(get(editor_client, import_url))
    assert Publication.objects.count() == ENTRIES
    assert not PendingImport.objects.exists()


def test_a_preview_that_can_import_nothing_keeps_no_text(editor_client):
    response = editor_client.post(
        URL, {"text": "@article{untitled, year = {2020}}"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "cannot be imported, so nothing will be imported" in text_of(response)
    assert not PendingImport.objects.exists()
