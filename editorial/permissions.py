"""Who may do what to which article: every workflow permission rule, in one place.

Roles come from permissions held through groups (see `editorial.roles`); superusers hold them
all, but the rules about authorship and assignment apply to them too.
"""

from django.db.models import Q

from articles.models import Article
from editorial.models import ReviewAssignment

SUBMIT = "articles.submit_article"
REVIEW = "articles.review_article"
MANAGE = "articles.manage_workflow"


def is_editor(user) -> bool:
    return user.is_active and user.has_perm(MANAGE)


def is_reviewer(user) -> bool:
    return user.is_active and user.has_perm(REVIEW)


def is_writer(user) -> bool:
    return user.is_active and user.has_perm(SUBMIT)


def is_author_of(user, article: Article) -> bool:
    """Use the prefetched authors when the caller has them."""
    return user.is_authenticated and any(author.pk == user.pk for author in article.authors.all())


def active_assignment(user, article: Article) -> ReviewAssignment | None:
    if not user.is_authenticated:
        return None
    return ReviewAssignment.objects.current_round(article).active().filter(reviewer=user).first()


def visible_articles(user, articles=None):
    """The articles ``user`` may see in the admin: editors all of them; authors their own;
    board members what is submitted (the queue) and what they were assigned (and did not decline)."""
    articles = Article.objects.all() if articles is None else articles
    if not user.is_authenticated or not user.is_active:
        return articles.none()
    if user.is_superuser or is_editor(user):
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


def _start_review(user, article):
    if not is_reviewer(user):
        return "Only a member of the Medical Advisory Board can review articles."
    if is_author_of(user, article):
        return "You wrote this article, so another board member must review it."
    others = ReviewAssignment.objects.current_round(article).active().exclude(reviewer=user).select_related("reviewer")
    if not active_assignment(user, article) and others:
        names = ", ".join(str(assignment.reviewer) for assignment in others)
        return f"This article is assigned to {names}."
    return None


def _assigned_reviewer(verb: str):
    def rule(user, article):
        if is_author_of(user, article):
            return f"You wrote this article, so you cannot {verb} it."
        if not is_reviewer(user) or active_assignment(user, article) is None:
            return f"Only the reviewer assigned to this article can {verb} it."
        return None

    return rule


def _assign(user, article):
    return None if is_editor(user) else "Only an editor can assign reviewers."


_RULES = {
    "submit": _author_or_editor("submit"),
    "start_review": _start_review,
    "request_changes": _assigned_reviewer("request changes to"),
    "approve": _assigned_reviewer("approve"),
    "revise": _author_or_editor("revise"),
    "withdraw": _editor_only("withdraw"),
    "reinstate": _editor_only("reinstate"),
    "assign": _assign,
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


def can_submit(user, article: Article) -> bool:
    return can_perform("submit", user, article)


def can_approve(user, article: Article) -> bool:
    return can_perform("approve", user, article)


def can_edit_content(user, article: Article) -> bool:
    return article.is_editable and can_perform("edit_content", user, article)
