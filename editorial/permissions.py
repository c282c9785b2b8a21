"""Who may do what to which article: every workflow permission rule, in one place.

Roles come from permissions held through groups (see `editorial.roles`); superusers hold them
all, but the rules about authorship and assignment apply to them too.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from articles.models import Article, Claim, Section
from editorial.models import ArticleVersion, ReviewAssignment
from editorial.transitions import TRANSITIONS, Actor
from integrity.models import Declaration
from integrity.selectors import latest_decision, latest_declaration
from references.models import Citation, Reference

SUBMIT = "articles.submit_article"
REVIEW = "articles.review_article"
MANAGE = "articles.manage_workflow"


def holders(permission: str, *, include_superusers: bool = True):
    """Active users who hold ``permission`` through their groups or their own permissions."""
    users = get_user_model().objects.with_perm(
        permission,
        include_superusers=include_superusers,
        # Named, because login throttling adds a second authentication backend.
        backend="django.contrib.auth.backends.ModelBackend",
    )
    return users.filter(is_active=True)


def is_editor(user) -> bool:
    return user.is_active and user.has_perm(MANAGE)


def is_reviewer(user) -> bool:
    return user.is_active and user.has_perm(REVIEW)


def is_writer(user) -> bool:
    return user.is_active and user.has_perm(SUBMIT)


def is_author_of(user, article: Article) -> bool:
    """Use the prefetched authors when the caller has them."""
    return user.is_authenticated and any(author.pk == user.pk for author in article.authors.all())


def contributor_ids(article: Article) -> set[int]:
    """Everyone who was an author of ``article`` at any point, or edited the content now in review.

    Read from django-simple-history's records in one query: the authors' list as it was after
    every change, and the users who saved the article's fields, sections, claims or citations
    since its live version was approved (all time, if it never was). Workflow saves of the
    article row (its state) carry a transition as their change reason and are not edits.
    """
    cached = getattr(article, "_contributor_ids", None)
    if cached is not None:
        return cached
    historical_authors = Article.history.model._meta.get_field("historicalarticle_authors").related_model
    edits = Q(history_user__isnull=False)
    if article.live_version_id is not None:
        approved_at = ArticleVersion.objects.filter(pk=article.live_version_id).values("approved_at")
        edits &= Q(history_date__gt=approved_at)
    workflow_save = Q(history_change_reason__regex=rf"^({'|'.join(_RULES)})(: |$)")
    claim_ids = Claim.history.filter(article_id=article.pk).order_by().values("id")
    queries = [
        historical_authors.objects.filter(article_id=article.pk).values_list("user_id"),
        Article.history.filter(edits, id=article.pk).exclude(workflow_save).values_list("history_user_id"),
        Section.history.filter(edits, article_id=article.pk).values_list("history_user_id"),
        Claim.history.filter(edits, article_id=article.pk).values_list("history_user_id"),
        Citation.history.filter(edits, claim_id__in=claim_ids).values_list("history_user_id"),
    ]
    first, *others = (query.order_by() for query in queries)
    article._contributor_ids = {pk for (pk,) in first.union(*others) if pk is not None}
    return article._contributor_ids


def is_contributor(user, article: Article) -> bool:
    """Four-eyes: whether ``user`` wrote this article (an author now or ever) or edited this round's content.

    Superusers and editors included: nobody approves content they wrote.
    """
    if not user.is_authenticated:
        return False
    return is_author_of(user, article) or user.pk in contributor_ids(article)


def active_assignment(user, article: Article) -> ReviewAssignment | None:
    if not user.is_authenticated:
        return None
    return ReviewAssignment.objects.current_round(article).active().filter(reviewer=user).first()


def sees_every_article(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or is_editor(user))


def visible_articles(user, articles=None):
    """The articles ``user`` may see in the admin: editors all of them; authors their own;
    board members what is submitted (the queue) and what they were assigned (and did not decline)."""
    articles = Article.objects.all() if articles is None else articles
    if not user.is_authenticated or not user.is_active:
        return articles.none()
    if sees_every_article(user):
        return articles
    visible = Q(pk__in=[])
    if is_writer(user):
        visible |= Q(pk__in=Article.authors.through.objects.filter(user=user).values("article"))
    if is_reviewer(user):
        assigned = ReviewAssignment.objects.filter(reviewer=user).exclude(status=ReviewAssignment.Status.DECLINED)
        visible |= Q(state=Article.State.SUBMITTED) | Q(pk__in=assigned.values("article"))
    return articles.filter(visible)


def refusal(action: str, user, article: Article) -> str | None:
    """Say why ``user`` may not perform ``action`` on ``article``; None when they may."""
    if not user.is_authenticated or not user.is_active:
        return "Log in with an active account to do this."
    return _RULES[action](user, article)


def can_perform(action: str, user, article: Article) -> bool:
    return refusal(action, user, article) is None


def _author_or_editor(verb: str):
    def rule(user, article):
        if is_editor(user) or (is_writer(user) and is_author_of(user, article)):
            return None
        return f"Only an author of this article or an editor can {verb} it."

    return rule


def _editor_only(verb: str):
    def rule(user, article):
        return None if is_editor(user) else f"Only an editor can {verb} an article."

    return rule


OWN_WORK = "You wrote or edited this article, so another board member must review it."


def _start_review(user, article):
    if not is_reviewer(user):
        return "Only a member of the Medical Advisory Board can review articles."
    if is_contributor(user, article):
        return OWN_WORK
    others = ReviewAssignment.objects.current_round(article).active().exclude(reviewer=user).select_related("reviewer")
    if not active_assignment(user, article) and others:
        names = ", ".join(str(assignment.reviewer) for assignment in others)
        return f"This article is assigned to {names}."
    return None


def _assigned_reviewer(verb: str):
    def rule(user, article):
        if is_contributor(user, article):
            return f"You wrote or edited this article, so you cannot {verb} it."
        if not is_reviewer(user) or active_assignment(user, article) is None:
            return f"Only the reviewer assigned to this article can {verb} it."
        return declaration_refusal(user, article)

    return rule


UNDECLARED = "Declare your competing interests for this review first."


def declaration_refusal(user, article: Article) -> str | None:
    """Say why the assigned reviewer ``user`` may not review yet for want of a cleared declaration of
    competing interests for this round; None once they declared none, or an editor allowed theirs.

    Read once per article instance and user, as `contributor_ids` is: a page asks every rule.
    """
    cached = article.__dict__.setdefault("_declaration_refusals", {})
    if (user.pk, article.review_round) not in cached:
        cached[(user.pk, article.review_round)] = _declaration_refusal(user, article)
    return cached[(user.pk, article.review_round)]


def _declaration_refusal(user, article: Article) -> str | None:
    declaration = latest_declaration(article, user, role=Declaration.Role.REVIEWER, round=article.review_round)
    if declaration is None:
        return UNDECLARED
    if not declaration.declares_interests:
        return None
    decision = latest_decision(declaration)
    if decision is None:
        return "You declared a competing interest: an editor decides whether you may continue before you review."
    return None if decision.allowed else f"An editor decided you may not review this article: {decision.reason}"


def _assign(user, article):
    return None if is_editor(user) else "Only an editor can assign reviewers."


def _change_authors(user, article):
    return None if is_editor(user) else "Only an editor can change who the authors of an article are."


def _board_member(verb: str):
    return _start_review


_ACTOR_RULES = {
    Actor.AUTHOR_OR_EDITOR: _author_or_editor,
    Actor.BOARD_MEMBER: _board_member,
    Actor.ASSIGNED_REVIEWER: _assigned_reviewer,
    Actor.EDITOR: _editor_only,
}

# Each transition's rule follows from its actor in the transition table; the other actions are here.
_RULES = {
    **{name: _ACTOR_RULES[transition.actor](transition.verb) for name, transition in TRANSITIONS.items()},
    "assign": _assign,
    "change_authors": _change_authors,
    "review_claims": _assigned_reviewer("review the claims of"),
    "edit_content": _author_or_editor("edit"),
}


def decline_refusal(user, assignment: ReviewAssignment) -> str | None:
    """Say why ``user`` may not decline ``assignment``; None when they may (it is theirs)."""
    if not user.is_authenticated or not user.is_active:
        return "Log in with an active account to do this."
    if assignment.reviewer_id != user.pk:
        return "Only the reviewer it is assigned to can decline an assignment."
    return None


def notice_refusal(user) -> str | None:
    """Say why ``user`` may not dismiss a retraction notice or decide on a declared interest; editors may."""
    if not user.is_authenticated or not user.is_active:
        return "Log in with an active account to do this."
    return None if is_editor(user) else "Only an editor can do this."


def can_submit(user, article: Article) -> bool:
    return can_perform("submit", user, article)


def can_approve(user, article: Article) -> bool:
    return can_perform("approve", user, article)


def can_edit_content(user, article: Article) -> bool:
    return article.is_editable and can_perform("edit_content", user, article)


def editable_articles(user, articles=None):
    """The articles whose content ``user`` may change now: drafts and articles with changes
    requested, their own (authors) or any (editors)."""
    articles = Article.objects.all() if articles is None else articles
    articles = articles.filter(state__in=Article.EDITABLE_STATES)
    if not user.is_authenticated or not user.is_active:
        return articles.none()
    if is_editor(user):
        return articles
    if is_writer(user):
        return articles.filter(pk__in=Article.authors.through.objects.filter(user=user).values("article"))
    return articles.none()


def reference_refusal(user, reference: Reference, *, article: Article | None = None) -> str | None:
    """Say why ``user`` may not correct ``reference`` (None when they may).

    The library is shared: a correction changes what every citing article's reviewers checked.
    Editors correct any reference. An author corrects one that no article uses yet, or one that
    a single article cites (or none does) when that article is theirs (``article``, when the
    author works on one), gathered or cites it, and is open for editing.
    """
    if not user.is_authenticated or not user.is_active:
        return "Log in with an active account to do this."
    if is_editor(user):
        return None
    if not is_writer(user):
        return "Only an author or an editor can correct references."
    citing = set(Citation.objects.filter(reference=reference).values_list("claim__article", flat=True))
    own = Article.objects.filter(Q(gathered_references=reference) | Q(claims__citations__reference=reference))
    own = own.filter(authors=user)
    if article is not None:
        own = own.filter(pk=article.pk)
    own_states = dict(own.values_list("pk", "state").distinct())
    if citing - set(own_states) or len(citing) > 1:
        return "Other articles cite this reference, so an editor corrects it in the reference library."
    if not own_states:
        if not citing and not Article.objects.filter(gathered_references=reference).exists():
            return None  # in nobody's article yet: correcting it changes nothing anyone reviewed
        return "This reference is not one of your articles' references."
    if citing and own_states[next(iter(citing))] not in Article.EDITABLE_STATES:
        return "The article citing this reference is with the board, so the reference is locked until a revision."
    return None


def work_url(user) -> str:
    """Where ``user``'s work is: the workspace for authors and editors, the review queue for the
    board, the admin for superusers and staff without a role, the home page for anyone else."""
    if user.is_superuser:
        return reverse("admin:index")
    if is_writer(user) or is_editor(user):
        return reverse("writing:list")
    if is_reviewer(user):
        return f"{reverse('admin:articles_article_changelist')}?queue=board"
    if user.is_staff:
        return reverse("admin:index")
    return reverse("home")
