"""Print the current code of a user's TOTP device: for the demo, and for support on a trusted shell."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from rabta.people.models import User


class Command(BaseCommand):
    help = "Print the current six-digit code of a user's TOTP device."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"])
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "pk").first()
        if device is None:
            raise CommandError(
                f"{username!r} has no TOTP device: they set one up at their first staff login "
                "(or seed the demo, which gives every staff login one)."
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        code = f"{totp.token():0{device.digits}d}"
        if not device.confirmed:
            self.stderr.write(
                f"note: the device of {username!r} is not confirmed yet (first login unfinished)"
            )
        self.stdout.write(code)
