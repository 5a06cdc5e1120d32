class RecwhError(Exception):
    """A problem the user can fix: printed as one line (plus a hint), exit status 1."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint
