from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from config.celery import broker_mode


class Command(BaseCommand):
    help = "Say which database, broker and email backend this configuration uses."

    def handle(self, *args, **options):
        database = settings.DATABASES["default"]
        if connection.vendor == "sqlite":
            database_line = f"SQLite file {database['NAME']} (set DATABASE_URL to use PostgreSQL)"
        else:
            database_line = (
                f"{connection.vendor} database “{database['NAME']}” on {database.get('HOST') or 'local socket'}"
            )
        self.stdout.write(f"Database: {database_line}")
        self.stdout.write(f"Celery broker: {broker_mode()}")
        self.stdout.write(f"Email: {settings.EMAIL_BACKEND}")
        self.stdout.write(f"Serving on {settings.SITE_URL} with a Celery worker and beat scheduler.")
