#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rabta.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A missing or bad variable is an operator's mistake, not a crash: say which, in one line.
        if not str(exc).startswith("Rabta configuration error"):
            raise
        sys.stderr.write("For a development setup, `make env` writes var/rabta.env with fresh secrets.\n")
        sys.stderr.write(f"{exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
