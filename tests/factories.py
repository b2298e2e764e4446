"""factory_boy factories for the directory's models."""

import factory

from profiles.models import Membership, Researcher, ResearchTopic
from publications.models import Author, Authorship, Publication


class ResearchTopicFactory(factory.django.DjangoModelFactory):
    """A topic with a slug of its own in each language (sujet-3, topic-3); ``slug="x"`` gives it
    the same slug in both."""

    class Meta:
        model = ResearchTopic
        django_get_or_create = ["slug_fr"]

    class Params:
        slug = None

    name_fr = factory.Sequence(lambda n: f"Sujet {n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")
    slug_fr = factory.LazyAttributeSequence(lambda topic, n: topic.slug or f"sujet-{n}")
    slug_en = factory.LazyAttributeSequence(lambda topic, n: topic.slug or f"topic-{n}")


class ResearcherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Researcher

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    slug = factory.Sequence(lambda n: f"researcher-{n}")
    membership = Membership.CORE_ACADEMIC
    position_fr = "Professeure titulaire"
    position_en = "Full Professor"
    organization = "Université de Montréal"
    is_published = True


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    display_name = factory.Sequence(lambda n: f"Author Number{n}")


class PublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publication

    title = factory.Sequence(lambda n: f"A study of things, part {n}")
    # Fixed filler words: a random paragraph could hold a word that a search test looks for.
    abstract = (
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
        "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
        "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat."
    )
    year = 2024
    venue = "NeurIPS 2024"
    kind = Publication.Kind.CONFERENCE_PAPER
    is_published = True


class AuthorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authorship

    publication = factory.SubFactory(PublicationFactory)
    author = factory.SubFactory(AuthorFactory)
    position = factory.Sequence(lambda n: n + 1)


def researcher_with_author(**kwargs) -> Researcher:
    """A researcher and the author record that signs their papers."""
    researcher = ResearcherFactory(**kwargs)
    AuthorFactory(display_name=researcher.full_name, researcher=researcher)
    return researcher


def publication_with_authors(authors: list[Author], **kwargs) -> Publication:
    """A publication signed by ``authors`` in this order."""
    publication = PublicationFactory(**kwargs)
    for position, author in enumerate(authors, start=1):
        Authorship.objects.create(publication=publication, author=author, position=position)
    return publication
