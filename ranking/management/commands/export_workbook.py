"""`python manage.py export_workbook FILE.xlsx`: write everything the year workbook can carry.

Every sheet of docs/workbook.md, for every period, as one file `import_workbook` reads back:
to move the years to another installation, or to keep them outside the database.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ranking.workbook.importer import workbook_export


class Command(BaseCommand):
    help = "Write the year workbook (docs/workbook.md): every sheet and period, as import_workbook reads it."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx file to write.")

    def handle(self, *args, file: str, **options):
        # The file is opened first: a path that cannot be written is refused before the
        # whole year is read.
        try:
            with open(file, "wb") as out:
                workbook_export().save(out)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": file, "error": error.strerror or error}
            ) from error
        self.stdout.write(_("Wrote the year workbook to %(file)s.") % {"file": file})
