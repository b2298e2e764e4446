"""Admin change-form data as a browser would post it, for tests that save through the admin."""

from publications.models import Author, Publication


def publication_form_data(**fields) -> dict:
    """The POST data of the publication add form, without author rows or other versions."""
    data = {
        "title": "Large language models for science",
        "kind": Publication.Kind.JOURNAL_ARTICLE,
        "language": "en",
        "year": 2023,
        "venue": "Nature",
        "is_published": "on",
        "abstract": "",
        "doi": "",
        "arxiv_id": "",
        "url": "",
        "pdf_url": "",
        "code_url": "",
        "authorships-TOTAL_FORMS": 0,
        "authorships-INITIAL_FORMS": 0,
        "authorships-MIN_NUM_FORMS": 0,
        "authorships-MAX_NUM_FORMS": 1000,
        "versions-TOTAL_FORMS": 0,
        "versions-INITIAL_FORMS": 0,
        "versions-MIN_NUM_FORMS": 0,
        "versions-MAX_NUM_FORMS": 1000,
        "links-TOTAL_FORMS": 0,
        "links-INITIAL_FORMS": 0,
        "links-MIN_NUM_FORMS": 0,
        "links-MAX_NUM_FORMS": 1000,
    }
    data.update(fields)
    return data


def with_author_rows(data: dict, authors: list[Author]) -> dict:
    """``data`` with one inline row per author, at positions 1, 2, ..."""
    data = {**data, "authorships-TOTAL_FORMS": len(authors)}
    for index, author in enumerate(authors):
        prefix = f"authorships-{index}-"
        data[prefix + "id"] = ""
        data[prefix + "publication"] = ""
        data[prefix + "role"] = "author"
        data[prefix + "position"] = index + 1
        data[prefix + "author"] = author.pk
    return data


def researcher_form_data(**fields) -> dict:
    """The POST data of the researcher add form."""
    data = {
        "given_name": "Razvan",
        "family_name": "Pascanu",
        "slug": "razvan-pascanu",
        "is_published": "on",
        "membership": "core_academic",
        "position_fr": "Professeur associé",
        "position_en": "Adjunct Professor",
        "organization": "Mila",
        "bio_fr": "",
        "bio_en": "",
        "website": "",
        "google_scholar_url": "",
        "orcid": "",
        "github_url": "",
        # The supervisions, as supervisor and as student: no rows.
        **{
            f"{prefix}-{name}": 0
            for prefix in ("supervisions", "supervised_by")
            for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")
        },
    }
    data.update(fields)
    return data
