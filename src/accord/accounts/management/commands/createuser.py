"""`accord createuser`: a staff account from the command line."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.accounts.domain import Role
from accord.accounts.services import create_user
from accord.platform.errors import AccordError


def command_error(error: AccordError) -> CommandError:
    """An Accord error as the CLI shows it: the offending field first."""
    where = f"--{error.field.replace('_', '-')}: " if error.field else ""
    return CommandError(f"{where}{error.message}")


class Command(BaseCommand):
    help = ("Create a staff user. Roles: admin (everything), manager (their teams' "
            "customers), consultant (own and team customers), analyst (reads everything, "
            "changes nothing). Without --password the password is asked for twice.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, help=", ".join(r.value for r in Role))
        parser.add_argument("--team", action="append", dest="teams", default=[],
                            help="team to join, created if new (repeatable)")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="the password (visible in shell history: "
                                               "prefer the prompt)")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"]
        if password is None:
            password = self._prompt_password()
        try:
            user = create_user(actor=None, username=options["username"], password=password,
                               role=options["role"], teams=options["teams"],
                               email=options["email"])
        except AccordError as exc:
            raise command_error(exc) from exc
        teams = ", ".join(options["teams"]) or "no team"
        self.stdout.write(f"Created {user.role} {user.username!r} ({teams}).")

    def _prompt_password(self) -> str:
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt) as exc:
            raise CommandError("--password: no password given.") from exc
        if first != second:
            raise CommandError("--password: the two passwords differ.")
        return first
