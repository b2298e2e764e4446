"""Portrait files as operators expect them: a replaced or deleted portrait's file goes once no
version of the history refers to it, unused files are found and left out of backups, long
upload names are shortened, and a portrait just over the size limit says by how much."""

import io
import os
import tarfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from PIL import Image
from reversion.models import Version

from editorial.backup import backup_write
from profiles.models import Researcher
from tests.admin_forms import researcher_form_data
from tests.factories import ResearcherFactory
from tests.pages import edit_snapshot, form_data

pytestmark = pytest.mark.django_db

LONG_NAME = (
    "Portrait officiel de Marie-Ève Tremblay pour le site de l'institut, pris lors du "
    "colloque annuel 2024 à Montréal (version haute résolution finale).JPG"
)
TWO_HOURS_AGO = time.time() - 2 * 3600


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def png(color=(200, 30, 30), size=(120, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (20, 90, 160)).save(buffer, format="JPEG")
    return buffer.getvalue()


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or png(), content_type="application/octet-stream")


def stored(name: str) -> bool:
    return (Path(settings.MEDIA_ROOT) / name).is_file()


def change(client, researcher: Researcher, **fields):
    """Save the researcher's change form with ``fields`` changed, as an editor would."""
    url = reverse("admin:profiles_researcher_change", args=[researcher.pk])
    data = researcher_form_data(slug=researcher.slug, **fields)
    return client.post(url, {**data, **edit_snapshot(client, url)}, HTTP_ACCEPT_LANGUAGE="en")


def researcher_with_portrait(name: str, **fields) -> Researcher:
    """A researcher whose portrait no version of the history knows (created outside the admin)."""
    researcher = ResearcherFactory(**fields)
    researcher.portrait.save(name, upload(name))
    return researcher


# A replaced or deleted portrait ---------------------------------------------------------


def test_a_replaced_portrait_that_no_version_knows_is_deleted_on_commit(
    editor_client, django_capture_on_commit_callbacks
):
    researcher = researcher_with_portrait("old.png", slug="razvan-pascanu")
    assert stored("portraits/old.png")

    with django_capture_on_commit_callbacks(execute=True):
        response = change(editor_client, researcher, portrait=upload("new.png"))

    assert response.status_code == 302
    researcher.refresh_from_db()
    assert researcher.portrait.name == "portraits/new.png"
    assert stored("portraits/new.png")
    assert not stored("portraits/old.png")


def test_a_cleared_portrait_that_no_version_knows_is_deleted_on_commit(
    editor_client, django_capture_on_commit_callbacks
):
    researcher = researcher_with_portrait("old.png", slug="razvan-pascanu")

    with django_capture_on_commit_callbacks(execute=True):
        response = change(editor_client, researcher, **{"portrait-clear": "on"})

    assert response.status_code == 302
    researcher.refresh_from_db()
    assert not researcher.portrait
    assert not stored("portraits/old.png")


def test_a_save_that_is_rolled_back_deletes_no_file(django_capture_on_commit_callbacks):
    researcher = researcher_with_portrait("old.png")
    researcher = Researcher.objects.get(pk=researcher.pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                researcher.portrait.save("new.png", upload("new.png"))
                raise RuntimeError("the save fails after writing")
        except RuntimeError:
            pass

    assert callbacks == []
    assert stored("portraits/old.png")
    assert Researcher.objects.get().portrait.name == "portraits/old.png"


def test_a_portrait_that_a_version_names_is_kept_and_a_revert_finds_it(
    editor_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:profiles_researcher_add"),
            researcher_form_data(portrait=upload("first.png", png((255, 0, 0)))),
        )
        assert response.status_code == 302
        researcher = Researcher.objects.get()
        assert change(editor_client, researcher, portrait=upload("second.png")).status_code == 302
    versions = Version.objects.get_for_object(researcher).order_by("pk")
    assert versions.count() == 2
    first = versions.first()
    assert stored("portraits/first.png")
    assert stored("portraits/second.png")

    revert_url = reverse("admin:profiles_researcher_revision", args=[researcher.pk, first.pk])
    preview = editor_client.get(revert_url)
    assert "portraits/first.png" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(revert_url, form_data(preview, "researcher_form"))

    assert response.status_code == 302
    researcher.refresh_from_db()
    assert researcher.portrait.name == "portraits/first.png"
    with Image.open(researcher.portrait.path) as image:
        assert image.getpixel((10, 10)) == (255, 0, 0)
    assert stored("portraits/second.png")  # the second version still names it


def test_a_researcher_deleted_in_the_admin_is_recovered_with_their_portrait(
    editor_client, django_capture_on_commit_callbacks
):
    researcher = researcher_with_portrait("kept.png", slug="razvan-pascanu")
    delete_url = reverse("admin:profiles_researcher_delete", args=[researcher.pk])

    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(delete_url, {"post": "yes"}).status_code == 302

    assert not Researcher.objects.exists()
    assert stored("portraits/kept.png")
    version = Version.objects.get_deleted(Researcher).get()
    recover_url = reverse("admin:profiles_researcher_recover", args=[version.pk])
    recover_form = editor_client.get(recover_url)
    response = editor_client.post(recover_url, form_data(recover_form, "researcher_form"))
    assert response.status_code == 302
    assert Researcher.objects.get().portrait.name == "portraits/kept.png"
    assert stored("portraits/kept.png")


def test_a_researcher_deleted_without_history_takes_their_portrait_file(
    django_capture_on_commit_callbacks,
):
    researcher = researcher_with_portrait("gone.png")

    with django_capture_on_commit_callbacks(execute=True):
        Researcher.objects.filter(pk=researcher.pk).delete()

    assert not stored("portraits/gone.png")


# Unused files ------------------------------------------------------------------------------


@pytest.fixture
def four_files(editor_client, django_capture_on_commit_callbacks) -> None:
    """used.png (a row), versioned.png (a version only), orphan.png (nothing, two hours old),
    fresh.png (nothing, just written)."""
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse("admin:profiles_researcher_add"),
            researcher_form_data(portrait=upload("versioned.png")),
        )
    # Changed in bulk: no signal, the version alone names the old file.
    Researcher.objects.update(portrait="portraits/used.png")
    media = Path(settings.MEDIA_ROOT) / "portraits"
    for name in ("used.png", "orphan.png", "fresh.png"):
        (media / name).write_bytes(png())
    for name in ("used.png", "versioned.png", "orphan.png"):
        os.utime(media / name, (TWO_HOURS_AGO, TWO_HOURS_AGO))


def test_unused_portraits_are_listed_then_deleted_on_request(four_files):
    listing = io.StringIO()
    with translation.override("en"):
        call_command("unusedportraits", stdout=listing)

    assert listing.getvalue().splitlines() == [
        "portraits/orphan.png",
        "1 unused portrait file.",
        "Run again with --delete to remove them.",
    ]
    assert stored("portraits/orphan.png")

    deleting = io.StringIO()
    with translation.override("en"):
        call_command("unusedportraits", "--delete", stdout=deleting)

    assert deleting.getvalue().splitlines() == [
        "portraits/orphan.png",
        "1 unused portrait file deleted.",
    ]
    assert not stored("portraits/orphan.png")
    for name in ("used.png", "versioned.png", "fresh.png"):
        assert stored(f"portraits/{name}")


def test_a_backup_leaves_unused_portraits_out_and_says_so(four_files, tmp_path):
    output = io.StringIO()
    with translation.override("en"):
        call_command("backup", "--output", str(tmp_path / "b.tar.gz"), stdout=output)

    with tarfile.open(tmp_path / "b.tar.gz") as archive:
        media = sorted(name for name in archive.getnames() if name.startswith("media/"))
    assert media == [
        "media/portraits/fresh.png",
        "media/portraits/used.png",
        "media/portraits/versioned.png",
    ]
    assert "1 uploaded file that nothing refers to was left out." in output.getvalue().splitlines()
    assert backup_write(tmp_path / "again.tar.gz").unused_files == ["portraits/orphan.png"]


# Long upload names -----------------------------------------------------------------------


def test_a_portrait_with_a_150_character_name_is_stored_under_a_short_readable_name(
    editor_client,
):
    assert len(LONG_NAME) == 150
    researcher = ResearcherFactory(slug="razvan-pascanu")

    response = change(editor_client, researcher, portrait=upload(LONG_NAME, jpeg()))

    assert response.status_code == 302
    researcher.refresh_from_db()
    assert researcher.portrait.name == (
        "portraits/portrait-officiel-de-marie-eve-tremblay-pour-le-site-de.jpg"
    )
    with Image.open(researcher.portrait.path) as image:
        assert (image.format, image.size) == ("JPEG", (300, 400))

    other = ResearcherFactory(slug="yoshua-bengio")
    assert change(editor_client, other, portrait=upload(LONG_NAME, jpeg())).status_code == 302
    other.refresh_from_db()
    assert other.portrait.name != researcher.portrait.name
    assert other.portrait.name.startswith(
        "portraits/portrait-officiel-de-marie-eve-tremblay-pour-le-site-de_"
    )
    assert other.portrait.name.endswith(".jpg")
    assert len(other.portrait.name) <= Researcher._meta.get_field("portrait").max_length
    assert stored(other.portrait.name)
    assert stored(researcher.portrait.name)


def test_a_long_name_without_word_boundaries_keeps_its_extension(editor_client):
    researcher = ResearcherFactory(slug="razvan-pascanu")

    response = change(editor_client, researcher, portrait=upload("x" * 240 + ".png"))

    assert response.status_code == 302
    researcher.refresh_from_db()
    assert researcher.portrait.name == f"portraits/{'x' * 60}.png"


# The size limit ----------------------------------------------------------------------------


def png_of_size(size: int) -> bytes:
    """A real PNG, padded after its end to ``size`` bytes."""
    content = png()
    return content + bytes(size - len(content))


@pytest.mark.parametrize(
    ("size", "message"),
    [
        (5 * 1024 * 1024 + 1, "The portrait is 5.01 MB, 0.01 MB over the limit of 5 MB."),
        (5 * 1024 * 1024 + 30_000, "The portrait is 5.03 MB, 0.03 MB over the limit of 5 MB."),
        (int(5.25 * 1024 * 1024), "The portrait is 5.3 MB, 0.3 MB over the limit of 5 MB."),
        (int(11.1 * 1024 * 1024), "The portrait is 11.1 MB, 6.1 MB over the limit of 5 MB."),
    ],
    ids=["one-byte", "30-kb", "a-quarter", "eleven"],
)
def test_a_portrait_over_the_limit_says_by_how_much(editor_client, size, message):
    response = editor_client.post(
        reverse("admin:profiles_researcher_add"),
        researcher_form_data(portrait=upload("portrait.png", png_of_size(size))),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Researcher.objects.exists()
