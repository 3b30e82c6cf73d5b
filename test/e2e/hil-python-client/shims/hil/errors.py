"""The one error class HIL's client library raises itself (hil.client.base.check_reserved), without Flask."""


class APIError(Exception):
    """HIL's base error class."""


class BadArgumentError(APIError):
    """An argument is not valid (raised by the client before any request)."""
