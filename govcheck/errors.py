"""The one error type a user can cause.

Anything raised as `UsageError` becomes a clean message and exit code 2 at the CLI; every other
exception is a bug in govcheck and is reported as such, with versions, so users can file it.
"""

from __future__ import annotations

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the user: a path, a flag, a config key. The message says what was expected."""
