from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from editorial import evidence
from integrity.retractions import RetractionFileError, import_file


class Command(BaseCommand):
    help = (
        "Load a copy of the Retraction Watch database (Crossref's CSV), applying only what changed, "
        "then match it against the references at once and print those that came under notice."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file, e.g. retraction_watch.csv.")

    def handle(self, *args, path, **options):
        try:
            result = import_file(Path(path))
        except RetractionFileError as error:
            raise CommandError(str(error)) from error
        done = result.file_import
        if result.already_imported:
            self.stdout.write(
                f"This file (SHA-256 {done.sha256[:12]}…) was imported on {done.finished_at:%Y-%m-%d %H:%M %Z}; "
                "nothing changed."
            )
        else:
            self.stdout.write(
                f"{done.rows} rows read: {done.inserted} new, {done.updated} changed, {done.unchanged} unchanged, "
                f"{done.missing} missing from this file (kept); {done.bad_rows} malformed, "
                f"{done.invalid_utf8_rows} with invalid UTF-8. SHA-256 {done.sha256}."
            )
            for problem in result.problems:
                self.stdout.write(self.style.WARNING(f"  {problem}"))
        notices = evidence.scan()
        if not notices:
            self.stdout.write("No reference came under notice.")
            return
        references = len({notice.reference_id for notice in notices})
        self.stdout.write(
            self.style.WARNING(f"{len(notices)} new notice(s) on {references} reference(s) in the library:")
        )
        for notice in notices:
            record = notice.record
            when = f" {record.notice_date:%Y-%m-%d}" if record.notice_date else ""
            self.stdout.write(
                f"  {record.get_nature_display()}{when}: “{notice.reference.title}” "
                f"(matched by {notice.matched_on.upper()}, Retraction Watch record {record.record_id})"
            )
