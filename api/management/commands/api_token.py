"""Per-user API tokens: ``manage.py api_token create USERNAME [--name NAME]`` prints a new token
(once: only its hash is stored), ``list [USERNAME]`` shows tokens, ``revoke ID`` revokes one."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api import services
from api.models import ApiToken
from kernel.errors import NotFound


class Command(BaseCommand):
    help = "Create, list or revoke per-user API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a token for a user and print it")
        create.add_argument("username")
        create.add_argument("--name", default="API token", help="what the token is for")
        listing = actions.add_parser("list", help="list tokens (of one user)")
        listing.add_argument("username", nargs="?")
        revoke = actions.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        token, key = services.token_create(user=user, name=name)
        self.stderr.write(f"Token {token.pk} for {username}; it is shown only this once:")
        self.stdout.write(key)

    def _list(self, *, username: str | None = None, **options):
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "id")
        if username:
            tokens = tokens.filter(user__username=username)
        for token in tokens:
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            self.stdout.write(
                f"{token.pk:>5}  {token.user.username:<20} {token.prefix}…  {state:<18} "
                f"{token.name}"
            )

    def _revoke(self, *, token_id: int, **options):
        try:
            services.token_revoke(token_id=token_id)
        except NotFound:
            raise CommandError(f"No token {token_id}.") from None
        self.stdout.write(f"Token {token_id} revoked.")
