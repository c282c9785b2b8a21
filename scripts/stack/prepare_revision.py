"""Bring a revision of the demo article up to the point of approval, for the stack test.

Run with ``manage.py shell < scripts/stack/prepare_revision.py``; STACK_HEADLINE is the new
headline. Through the workflow's own entry points, as the demo's people: the author revises and
changes the headline, the authors declare their (no) competing interests and the author
submits; the reviewer takes it into review, declares and carries over every claim verified
before (none changed). Only the approval is left, and the stack test does that
over HTTP. Prints the article's id.
"""

import os

from django.contrib.auth import get_user_model

from articles.models import Article
from editorial.evidence import declare_interests
from editorial.services import carry_over_verifications, perform_transition
from integrity.models import Declaration
from writing import editing

SLUG = "what-is-the-treatment-for-muscle-jerking"

users = get_user_model().objects
author, reviewer = users.get(username="author"), users.get(username="reviewer")
article = Article.objects.get(slug=SLUG)
perform_transition(article, "revise", by=author)
article.refresh_from_db()
editing.update_article(
    article, by=author, version=article.edit_version, title=article.title, headline=os.environ["STACK_HEADLINE"]
)
for writer in article.authors.all():
    declare_interests(article, by=writer, role=Declaration.Role.AUTHOR, relationships={}, none=True)
perform_transition(article, "submit", by=author)
perform_transition(article, "start_review", by=reviewer)
declare_interests(article, by=reviewer, role=Declaration.Role.REVIEWER, relationships={}, none=True)
carry_over_verifications(article, by=reviewer)
print(article.pk)
