"""Researchers and research topics: ORCID iDs, constraints, labels, order and addresses."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from core.text import fold, name_key
from profiles.models import Membership, Researcher, ResearchTopic, sorted_topics
from profiles.validators import orcid_check_digit
from tests.factories import ResearcherFactory, ResearchTopicFactory

VALID_ORCID = "0000-0002-1825-0097"
VALID_ORCID_ENDING_IN_X = "0000-0002-9079-593X"
CHECKSUM_MESSAGE = "This ORCID iD is not valid: its last character does not match its checksum."
FORMAT_MESSAGE = "Enter an ORCID iD in the form 0000-0002-1825-0097."


def orcid_errors(researcher: Researcher) -> list[str]:
    """The messages full_clean gives about the researcher's ORCID iD, in English."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            researcher.full_clean()
        return excinfo.value.message_dict.get("orcid", [])


# ORCID iD check character -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("orcid", "check_character"),
    [
        (VALID_ORCID, "7"),
        (VALID_ORCID_ENDING_IN_X, "X"),
        ("0000-0001-5109-3700", "0"),
    ],
)
def test_check_character_follows_iso_7064_mod_11_2(orcid, check_character):
    assert orcid_check_digit(orcid.replace("-", "")[:15]) == check_character


# full_clean: validation and normal form -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("orcid", [VALID_ORCID, VALID_ORCID_ENDING_IN_X])
def test_a_valid_orcid_is_accepted_and_kept_as_typed(orcid):
    researcher = ResearcherFactory.build(orcid=orcid)

    researcher.full_clean()

    assert researcher.orcid == orcid
    assert researcher.orcid_url == f"https://orcid.org/{orcid}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pasted", "stored"),
    [
        ("https://orcid.org/0000-0002-1825-0097", VALID_ORCID),
        ("http://www.orcid.org/0000-0002-1825-0097", VALID_ORCID),
        ("orcid.org/0000-0002-1825-0097", VALID_ORCID),
        ("0000000218250097", VALID_ORCID),
        ("  0000-0002-1825-0097  ", VALID_ORCID),
        ("0000 0002 1825 0097", VALID_ORCID),
        ("0000-0002-9079-593x", VALID_ORCID_ENDING_IN_X),
        ("000000029079593x", VALID_ORCID_ENDING_IN_X),
    ],
)
def test_full_clean_reduces_a_pasted_orcid_to_its_normal_form(pasted, stored):
    researcher = ResearcherFactory.build(orcid=pasted)

    researcher.full_clean()
    researcher.save()

    researcher.refresh_from_db()
    assert researcher.orcid == stored


@pytest.mark.django_db
@pytest.mark.parametrize("orcid", ["0000-0002-1825-0098", "0000-0002-9079-5930"])
def test_a_wrong_check_character_is_refused_with_the_checksum_message(orcid):
    researcher = ResearcherFactory.build(orcid=orcid)

    assert orcid_errors(researcher) == [CHECKSUM_MESSAGE]


@pytest.mark.django_db
def test_the_checksum_message_is_translated_into_french():
    researcher = ResearcherFactory.build(orcid="0000-0002-1825-0098")

    with pytest.raises(ValidationError) as excinfo:
        researcher.full_clean()

    assert excinfo.value.message_dict["orcid"] == [
        "Cet identifiant ORCID n'est pas valide : son dernier caractère ne correspond"
        " pas à sa somme de contrôle."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("orcid", ["0000-0002-1825", "0000-0002-1825-009Y", "ABCD-0002-1825-0097"])
def test_a_malformed_orcid_is_refused_with_the_format_message(orcid):
    researcher = ResearcherFactory.build(orcid=orcid)

    assert FORMAT_MESSAGE in orcid_errors(researcher)


@pytest.mark.django_db
def test_a_researcher_may_have_no_orcid():
    researcher = ResearcherFactory.build(orcid="")

    researcher.full_clean()

    assert researcher.orcid == ""
    assert researcher.orcid_url == ""


# Database constraints ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_refuses_two_researchers_with_one_orcid():
    ResearcherFactory(orcid=VALID_ORCID)

    with transaction.atomic(), pytest.raises(IntegrityError):
        ResearcherFactory(orcid=VALID_ORCID)

    assert Researcher.objects.filter(orcid=VALID_ORCID).count() == 1


@pytest.mark.django_db
def test_full_clean_explains_that_the_orcid_is_taken():
    ResearcherFactory(orcid=VALID_ORCID)
    # The pasted form is normalised first, then found to clash.
    duplicate = ResearcherFactory.build(orcid="https://orcid.org/0000-0002-1825-0097")

    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            duplicate.full_clean()
        assert excinfo.value.messages == ["Another researcher already has this ORCID iD."]


@pytest.mark.django_db
def test_the_taken_orcid_message_is_translated_into_french():
    ResearcherFactory(orcid=VALID_ORCID)
    duplicate = ResearcherFactory.build(orcid=VALID_ORCID)

    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()

    assert excinfo.value.messages == ["Un autre chercheur a déjà cet identifiant ORCID."]


@pytest.mark.django_db
def test_a_researcher_keeps_their_own_orcid_when_edited():
    researcher = ResearcherFactory(orcid=VALID_ORCID)
    researcher.position_en = "Associate Professor"

    researcher.full_clean()
    researcher.save()

    assert Researcher.objects.get(orcid=VALID_ORCID).position_en == "Associate Professor"


@pytest.mark.django_db
def test_many_researchers_may_have_no_orcid():
    ResearcherFactory(orcid="")
    second = ResearcherFactory.build(orcid="")

    second.full_clean()
    second.save()

    assert Researcher.objects.filter(orcid="").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("orcid", ["0000-0002-1825", "0000-0002-1825-009Y", "ABCD-0002-1825-0097"])
def test_the_database_refuses_a_malformed_orcid(orcid):
    with transaction.atomic(), pytest.raises(IntegrityError, match="orcid_format"):
        # Saved directly, without full_clean: only the check constraint stands in the way.
        Researcher.objects.create(
            given_name="Ada", family_name="Lovelace", slug="ada-lovelace", orcid=orcid
        )

    assert not Researcher.objects.filter(slug="ada-lovelace").exists()


@pytest.mark.django_db
def test_a_direct_save_also_stores_a_pasted_orcid_in_normal_form():
    researcher = Researcher.objects.create(
        given_name="Ada",
        family_name="Lovelace",
        slug="ada-lovelace",
        orcid="https://orcid.org/0000-0002-9079-593x",
    )

    researcher.refresh_from_db()
    assert researcher.orcid == VALID_ORCID_ENDING_IN_X


@pytest.mark.django_db
def test_the_database_refuses_a_pasted_form_of_a_taken_orcid():
    ResearcherFactory(orcid=VALID_ORCID)

    with transaction.atomic(), pytest.raises(IntegrityError):
        ResearcherFactory(orcid="0000000218250097")

    assert Researcher.objects.count() == 1


@pytest.mark.django_db
def test_the_format_constraint_gives_its_message_to_validate_constraints():
    researcher = ResearcherFactory.build(orcid="0000-0002-1825")

    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            researcher.validate_constraints()
        assert excinfo.value.messages == [FORMAT_MESSAGE]


# Membership ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "label"), [("fr", "Membre affilié"), ("en", "Affiliate Member")]
)
def test_membership_label_in_each_language(language, label):
    researcher = ResearcherFactory.build(membership=Membership.AFFILIATE)

    with translation.override(language):
        assert researcher.get_membership_display() == label
        assert str(Membership.AFFILIATE.label) == label


def test_a_new_researcher_is_an_affiliate_member_by_default():
    assert Researcher().membership == Membership.AFFILIATE


# Topics in alphabetical order ----------------------------------------------------------------


@pytest.mark.django_db
def test_sorted_topics_ignores_accents_and_case_in_french():
    names = [
        ("Robustesse", "Robustness"),
        ("Apprentissage continu", "Continual learning"),
        ("éthique de l'IA", "AI ethics"),
        ("Apprentissage à quelques exemples", "Few-shot learning"),
    ]
    topics = [ResearchTopicFactory(name_fr=fr, name_en=en) for fr, en in names]

    with translation.override("fr"):
        ordered = [topic.name for topic in sorted_topics(topics)]

    assert ordered == [
        "Apprentissage à quelques exemples",
        "Apprentissage continu",
        "éthique de l'IA",
        "Robustesse",
    ]


@pytest.mark.django_db
def test_sorted_topics_follows_the_english_names_in_english():
    names = [
        ("Robustesse", "Robustness"),
        ("Apprentissage continu", "Continual learning"),
        ("Éthique de l'IA", "AI ethics"),
        ("Apprentissage à quelques exemples", "Few-shot learning"),
    ]
    topics = [ResearchTopicFactory(name_fr=fr, name_en=en) for fr, en in names]

    with translation.override("en"):
        ordered = [topic.name for topic in sorted_topics(topics)]

    assert ordered == ["AI ethics", "Continual learning", "Few-shot learning", "Robustness"]


# Addresses -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "address"),
    [("fr", "/fr/chercheurs/razvan-pascanu/"), ("en", "/en/researchers/razvan-pascanu/")],
)
def test_profile_address_in_each_language(language, address):
    researcher = ResearcherFactory(slug="razvan-pascanu")

    with translation.override(language):
        assert researcher.get_absolute_url() == address


@pytest.mark.django_db
def test_the_profile_address_answers(client):
    researcher = ResearcherFactory(given_name="Razvan", family_name="Pascanu")

    response = client.get(researcher.get_absolute_url())

    assert response.status_code == 200
    assert "Razvan Pascanu" in response.content.decode()


# Name keys -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Maciej Pióro", "maciej pioro"),
        ("Wołczyk", "wolczyk"),
        ("Réseaux à Łódź", "reseaux a lodz"),
        ("STRAßE", "strasse"),
    ],
)
def test_fold_drops_accents_and_case(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Maciej Pióro", "maciej pioro"),
        ("Maciej  Pióro ", "maciej pioro"),
        ("Wołczyk", "wolczyk"),
        ("Jean-Pierre L'Écuyer", "jean pierre l ecuyer"),
    ],
)
def test_name_key_ignores_accents_case_and_punctuation(name, key):
    assert name_key(name) == key


@pytest.mark.django_db
def test_a_saved_researcher_is_found_without_accents():
    ResearcherFactory(given_name="Maciej", family_name="Pióro")
    ResearcherFactory(given_name="Maciej", family_name="Wołczyk")

    found = Researcher.objects.search("PIORO")

    assert [researcher.full_name for researcher in found] == ["Maciej Pióro"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_topic_labels_read_by_the_database_are_what_the_topics_show(language):
    complete = ResearchTopicFactory(name_fr="Robustesse", name_en="Robustness")
    french_only = ResearchTopicFactory(name_fr="Apprentissage continu", name_en="")
    english_only = ResearchTopicFactory(name_fr="", name_en="AI ethics")
    ResearchTopic.objects.filter(pk=french_only.pk).update(slug_en="")

    with translation.override(language):
        labels = ResearchTopic.objects.order_by("pk").labels()
        shown = [
            (topic.pk, topic.slug, topic.name) for topic in ResearchTopic.objects.order_by("pk")
        ]

    assert labels == shown
    names = {pk: name for pk, _slug, name in labels}
    assert names[french_only.pk] == "Apprentissage continu"
    assert names[english_only.pk] == "AI ethics"
    assert names[complete.pk] == {"fr": "Robustesse", "en": "Robustness"}[language]
