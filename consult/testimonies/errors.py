"""The one error type testimony services raise for a person to read."""

from __future__ import annotations


class TestimonyError(ValueError):
    """A request that cannot be carried out; ``message`` is translated text for the person."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, message, field: str | None = None) -> None:  # noqa: ANN001
        super().__init__(str(message))
        self.message = message
        #: The form field the message belongs next to, when there is one.
        self.field = field
