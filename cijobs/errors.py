"""The one error type the command line shows as a plain message."""


class UserError(Exception):
    """Something the user can fix: a missing file, a bad value, an unreachable site."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code
