"""factory_boy factories for every model the tests build."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from articles.models import Article, Claim, Section, Topic
from pages.models import BoardMember, EditorialPolicy
from references.models import Citation, Reference


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("secret-pass-123")

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        if create and names:
            self.groups.add(*(Group.objects.get(name=name) for name in names))


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda topic: topic.name.lower().replace(" ", "-"))


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"What is the answer to question {n}?")
    topic = factory.SubFactory(TopicFactory)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    article = factory.SubFactory(ArticleFactory)
    heading = factory.Sequence(lambda n: f"Section {n}")
    position = factory.Sequence(int)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    section = factory.SubFactory(SectionFactory)
    article = factory.LazyAttribute(lambda claim: claim.section.article if claim.section else ArticleFactory())
    text = factory.Sequence(lambda n: f"Claim number {n} is supported by evidence.")
    position = factory.Sequence(int)


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    kind = Reference.Kind.RESEARCH
    title = factory.Sequence(lambda n: f"A study of treatment {n}")
    authors = "Doe J, Roe R"
    source = "Journal of Clinical Examples"
    year = 2020


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    claim = factory.SubFactory(ClaimFactory)
    reference = factory.SubFactory(ReferenceFactory)
    position = factory.Sequence(int)


def cite(claim: Claim, *references: Reference) -> None:
    """Make `claim` cite `references`, in that order."""
    for position, reference in enumerate(references):
        Citation.objects.create(claim=claim, reference=reference, position=position)


class EditorialPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EditorialPolicy

    title = "How we review articles"
    summary = "Every claim is checked by the board."
    body = "Our board checks every claim.\n\n## Re-review\nEvery article is reviewed again each year."


class BoardMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardMember

    name = factory.Sequence(lambda n: f"Member {n}")
    credentials = "MD"
    specialty = "Neurology"
    affiliation = "City Hospital"
    bio = factory.Sequence(lambda n: f"Biography of member {n}.")
    position = factory.Sequence(int)
