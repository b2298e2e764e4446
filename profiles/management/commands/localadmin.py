"""Create or reset the local administrator account and print its new password."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create the superuser 'admin' (or reset its password) with a new random password, "
        "and print it. For a local demo only: refused when DEBUG is off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "localadmin is for local demos and runs only with DEBUG on. "
                "In production, use 'python manage.py createsuperuser'."
            )
        password = secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": True}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        action = "Created" if created else "Reset the password of"
        self.stdout.write(self.style.SUCCESS(f"{action} the local administrator account."))
        self.stdout.write(f"  user name: {username}")
        self.stdout.write(f"  password:  {password}")
