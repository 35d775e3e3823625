"""Errors a person should see, in plain words. Services raise them; the cogs' error pipeline
shows them ephemerally. This module imports nothing from discord so services can use it."""


class UserFacingError(Exception):
    """Something the person can fix or should know; `message` is shown to them as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(UserFacingError):
    """What they asked about does not exist (or no longer does)."""


class NotAllowed(UserFacingError):
    """They may not do this."""


class InvalidInput(UserFacingError):
    """What they typed cannot be used; the message says what to type instead."""


class Conflict(UserFacingError):
    """It cannot be done in the current state (already signed up, activity full, ...)."""


class ConsentNeeded(UserFacingError):
    """The person has not agreed to what we keep yet. Callers that can show the consent card
    catch this; anywhere else the message points to /join."""

    def __init__(self) -> None:
        super().__init__(
            "We need your agreement before we keep anything about you. Use `/join` to read "
            "what we keep and agree, then try again."
        )
