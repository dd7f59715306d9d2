"""Lists answers stored before text was checked at input that hold text no page can show (a
lone surrogate) or no spreadsheet accepts (a control character). Input refuses both since;
run this once after upgrading, and have the listed answers entered again.

A command rather than a system check: `migrate` runs database checks before it migrates,
and this one reads every answer.
"""

from django.core.management.base import BaseCommand, CommandError

from procurement.assessments.selectors import answers_with_unstorable_text


class Command(BaseCommand):
    help = "List answers holding a lone surrogate or a control character; exits 1 if there are any."

    def handle(self, *args, **options):
        found = answers_with_unstorable_text()
        for pk, code, problem in found:
            self.stdout.write(f"A-{pk} {code}: the stored answer {problem}.")
        if found:
            raise CommandError(
                f"{len(found)} answer(s) to enter again (open the question; until then its pages and exports may fail)."
            )
        self.stdout.write("No stored answer holds unstorable text.")
