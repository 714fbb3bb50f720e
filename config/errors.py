"""How a refused step is told to the user: the one place a ValidationError becomes a line of text."""

from django.core.exceptions import ValidationError


def error_text(exc: ValidationError) -> str:
    """Every message of the refusal, in order, on one line (Chinese semicolons between them)."""
    return "；".join(exc.messages)
