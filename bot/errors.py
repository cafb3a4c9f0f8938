"""The few errors a user may see, each with a message written for them."""


class NudgebotError(Exception):
    """Base class: the message is shown to the user as it is."""

    exit_code = 1


class ConfigError(NudgebotError):
    """A setting is missing, malformed or contradicts another."""

    exit_code = 2


class PrinciplesError(NudgebotError):
    """principles.yaml cannot be read or does not validate."""

    exit_code = 2


class PromptError(NudgebotError):
    """A prompt template is missing or was rendered without a variable it needs."""


class StoreError(NudgebotError):
    """The SQLite file cannot be opened or is not a Nudgebot database."""

    exit_code = 3


class InputError(NudgebotError):
    """Input from the user (a file, a command argument) is not usable."""

    exit_code = 4
