from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from editorial.exceptions import WorkflowError
from editorial.services import perform_transition
from editorial.transitions import TRANSITIONS


class Command(BaseCommand):
    help = "Perform a workflow transition on an article as a named user, through the same rules as the admin."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The article's slug.")
        parser.add_argument("transition", choices=list(TRANSITIONS))
        parser.add_argument("--as", dest="username", required=True, help="Who performs it (their username).")
        parser.add_argument("--comment", default="", help="Required to request changes, withdraw or reinstate.")

    def handle(self, *args, slug, transition, username, comment, **options):
        try:
            article = Article.objects.get(slug=slug)
            user = get_user_model().objects.get(username=username)
        except (Article.DoesNotExist, get_user_model().DoesNotExist) as error:
            raise CommandError(str(error)) from error
        try:
            article = perform_transition(article, transition, by=user, comment=comment)
        except WorkflowError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{article.title}: now {article.get_state_display().lower()}."))
