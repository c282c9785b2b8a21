"""Create Vetted's demo users, references and articles; running it again changes nothing."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.grading import parse_marker
from articles.models import Article, Claim, Section, Topic
from editorial import roles
from editorial.demo.spec import C, DemoArticle, Ref, S
from editorial.evidence import declare_interests
from editorial.models import ReviewAssignment
from editorial.services import assign_reviewer, carry_over_verifications, perform_transition, record_claim_review
from integrity.models import Declaration
from pages.demo import ensure_demo_board
from references.models import Citation, Reference

DEMO_PASSWORD = "vetted-demo"

DEMO_USERS = (
    # username, first name, last name, credentials, group, is_superuser
    ("author", "Alex", "Rivera", "MPH", roles.AUTHORS, False),
    ("reviewer", "Maya", "Okafor", "MD", roles.REVIEWERS, False),
    ("editor", "Sam", "Lindqvist", "", roles.EDITORS, False),
    ("admin", "Vetted", "Administrator", "", None, True),
)


@dataclass
class LoadReport:
    users: list[str] = field(default_factory=list)
    created_articles: list[str] = field(default_factory=list)
    kept_articles: list[str] = field(default_factory=list)


@transaction.atomic
def load_demo(articles: tuple[DemoArticle, ...], references: tuple[Ref, ...]) -> LoadReport:
    """Create what is missing; leave existing demo articles as they are (someone may be editing them)."""
    report = LoadReport()
    users = {username: _demo_user(username, *rest) for username, *rest in DEMO_USERS}
    report.users = list(users)
    ensure_demo_board(users)
    refs = {ref.key: _reference(ref) for ref in references}
    for demo in articles:
        if Article.objects.filter(title=demo.title).exists():
            report.kept_articles.append(demo.title)
            continue
        article = _article(demo, users, refs)
        _walk_workflow(article, demo.state, users)
        if demo.revision:
            _revise(article, demo, users)
        report.created_articles.append(f"{demo.title} [{article.get_state_display().lower()}]")
    return report


def _demo_user(username, first_name, last_name, credentials, group_name, is_superuser):
    user, created = get_user_model().objects.update_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "credentials": credentials,
            "email": f"{username}@vetted.example",
            "is_staff": True,
            "is_superuser": is_superuser,
        },
    )
    if created:  # hashing is slow by design; an existing user keeps whatever password they set
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if group_name:
        user.groups.add(Group.objects.get_or_create(name=group_name)[0])
    return user


def _reference(ref: Ref) -> Reference:
    values = {
        "kind": ref.kind,
        "authors": ref.authors,
        "volume": ref.volume,
        "issue": ref.issue,
        "pages": ref.pages,
        "doi": ref.doi or None,
        "pmid": ref.pmid or None,
        "url": ref.url,
    }
    reference = Reference.objects.filter(title=ref.title, source=ref.source, year=ref.year).first()
    if reference is None:
        reference = Reference(title=ref.title, source=ref.source, year=ref.year, **values)
        reference.full_clean()
        reference.save()
    return reference


def _article(demo: DemoArticle, users, refs) -> Article:
    topic, _ = Topic.objects.get_or_create(name=demo.topic, defaults={"slug": slugify(demo.topic)})
    article = Article(title=demo.title, headline=demo.headline, topic=topic)
    article.full_clean()
    article.save()
    article.authors.set([users[username] for username in demo.authors])
    _claim(article, None, None, demo.summary, 0, refs)
    for position, section in enumerate(demo.sections):
        _section(article, None, section, position, refs)
    return article


def _section(article: Article, parent: Section | None, spec: S, position: int, refs) -> None:
    section = Section(article=article, parent=parent, heading=spec.heading, intro=spec.intro, position=position)
    section.full_clean()
    section.save()
    for claim_position, claim in enumerate(spec.claims):
        _claim(article, section, None, claim, claim_position, refs)
    for child_position, child in enumerate(spec.children):
        _section(article, section, child, child_position, refs)


def _claim(article: Article, section: Section | None, parent: Claim | None, spec: C, position: int, refs) -> None:
    claim = Claim(
        article=article, section=section, parent=parent, text=spec.text, plain_language=spec.plain, position=position
    )
    _grade(claim, spec)
    claim.full_clean()
    claim.save()
    for index, key in enumerate(spec.cites):
        Citation.objects.create(claim=claim, reference=refs[key], position=index)
    for child_position, child in enumerate(spec.children):
        _claim(article, section, claim, child, child_position, refs)


def _grade(claim: Claim, spec: C) -> None:
    """Give ``claim`` the grade and evidence-search date ``spec`` names (written as the import's marker)."""
    if spec.grade:
        _, fields = parse_marker(f"{{{spec.grade}}}" if spec.grade == "good practice" else f"{{GRADE: {spec.grade}}}")
        for name, value in fields.items():
            setattr(claim, name, value)
    if spec.searched_days_ago is not None:
        claim.evidence_searched_on = timezone.localdate() - timedelta(days=spec.searched_days_ago)


def _revise(article: Article, demo: DemoArticle, users) -> None:
    """Approve a second version that regrades and re-dates the claims ``demo.revision`` names."""
    author, reviewer = users["author"], users["reviewer"]
    perform_transition(article, "revise", by=author)
    for spec in demo.revision:
        claim = Claim.objects.get(article=article, text=spec.text)
        _grade(claim, spec)
        claim.full_clean()
        claim.save()
    declare_interests(article, by=author, role=Declaration.Role.AUTHOR, relationships={}, none=True)
    perform_transition(article, "submit", by=author)
    perform_transition(article, "start_review", by=reviewer)
    declare_interests(article, by=reviewer, role=Declaration.Role.REVIEWER, relationships={}, none=True)
    carry_over_verifications(article, by=reviewer)
    for claim in Claim.objects.filter(article=article, text__in=[spec.text for spec in demo.revision]):
        record_claim_review(claim, by=reviewer, verified=True)
    perform_transition(article, "approve", by=reviewer, change_note=demo.revision_note)


def _walk_workflow(article: Article, state: str, users) -> None:
    """Bring a new draft to ``state`` the way people would, through the workflow's entry points."""
    author, reviewer, editor = users["author"], users["reviewer"], users["editor"]
    if state == Article.State.DRAFT:
        return
    declare_interests(article, by=author, role=Declaration.Role.AUTHOR, relationships={}, none=True)
    perform_transition(article, "submit", by=author)
    if state == Article.State.SUBMITTED:
        # Demo only: submitted three days ago and still unassigned, so the editors are reminded.
        Article.objects.filter(pk=article.pk).update(submitted_at=timezone.now() - timedelta(days=3))
        return
    assign_reviewer(article, reviewer=reviewer, by=editor, due_at=timezone.now() + timedelta(days=7))
    perform_transition(article, "start_review", by=reviewer)
    declare_interests(article, by=reviewer, role=Declaration.Role.REVIEWER, relationships={}, none=True)
    claims = list(Claim.objects.filter(article=article).order_by("section__position", "position", "id"))
    if state == Article.State.UNDER_REVIEW:
        for claim in claims[:2]:
            record_claim_review(claim, by=reviewer, verified=True)
        # Demo only: backdate the due date so the queue and the reminders have an overdue review.
        ReviewAssignment.objects.filter(article=article).update(due_at=timezone.now() - timedelta(days=3))
    elif state == Article.State.CHANGES_REQUESTED:
        record_claim_review(claims[0], by=reviewer, verified=True)
        record_claim_review(
            claims[-1], by=reviewer, verified=False, comment="Which trial supports this? Cite it or soften the wording."
        )
        perform_transition(
            article, "request_changes", by=reviewer, comment="One claim needs a source; see the claim comments."
        )
    elif state == Article.State.APPROVED:
        for claim in claims:
            record_claim_review(claim, by=reviewer, verified=True)
        perform_transition(article, "approve", by=reviewer, comment="Checked every claim against its sources.")
    else:
        raise ValueError(f"The demo cannot reach the state {state!r}.")
