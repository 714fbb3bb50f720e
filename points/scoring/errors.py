"""Errors the scoring engine raises; messages are Simplified Chinese and name the field or rule."""


class ScoringError(ValueError):
    """Facts or a score request break a rule of the scheme (e.g. a deduction of 4)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        # The Django side attaches the message to this form field or import column.
        self.field = field


class SchemeError(ScoringError):
    """A scheme (or its dict form) is inconsistent or departs from the scheme it must follow."""
