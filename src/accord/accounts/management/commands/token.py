"""`accord token`: personal API tokens from the command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.accounts.management.commands.createuser import command_error
from accord.accounts.selectors import staff_by_username, tokens_of
from accord.accounts.services import issue_token, revoke_token
from accord.platform.errors import AccordError


class Command(BaseCommand):
    help = ("Print a new API token for a user (send it as 'Authorization: Bearer <token>'; "
            "it is shown once and stored only as a hash), list a user's tokens, or revoke "
            "one by id.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="username the token acts as")
        parser.add_argument("--name", default="cli", help="a label for the token")
        parser.add_argument("--list", action="store_true", help="list the user's tokens")
        parser.add_argument("--revoke", type=int, metavar="ID", help="revoke token ID")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["revoke"] is not None:
            try:
                revoke_token(actor=None, token_id=options["revoke"])
            except AccordError as exc:
                raise CommandError(f"--revoke: {exc.message}") from exc
            self.stdout.write(f"Revoked token {options['revoke']}.")
            return
        if not options["user"]:
            raise CommandError("--user: give the username (or --revoke ID).")
        user = staff_by_username(options["user"])
        if user is None or not user.is_active:
            raise CommandError(f"--user: no active user {options['user']!r}.")
        if options["list"]:
            for token in tokens_of(user):
                state = "revoked" if token.revoked_at else "active"
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(f"{token.pk}\t{token.prefix}…\t{token.name}\t{state}\t"
                                  f"created {token.created_at:%Y-%m-%d}\tlast used {used}")
            return
        name = options["name"].strip()
        if not name or len(name) > 100:
            raise CommandError("--name: give 1 to 100 characters.")
        try:
            raw = issue_token(actor=None, user=user, name=name)
        except AccordError as exc:
            raise command_error(exc) from exc
        self.stdout.write(raw)
