"""Half-point arithmetic.

Every figure of the guideline is a multiple of 0.5, so the engine counts in integer half-points and turns
them into ``Decimal`` only at the boundary: integer division floors exactly, with no context or precision
to worry about, and it keeps the hot path fast.
"""

from decimal import Decimal, InvalidOperation

HALF = Decimal("0.5")


def to_decimal(value: object) -> Decimal | None:
    """A finite Decimal from int, Decimal, float or str; None for anything else (bool included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float | str):
        # str() first so that 0.1 from JSON becomes Decimal("0.1"), not its binary expansion.
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def halves(value: Decimal) -> int:
    """Half-points of a value already known to be a multiple of 0.5."""
    return int(value * 2)


def is_half_multiple(value: Decimal) -> bool:
    return value % HALF == 0


def _dec(points_halves: int) -> Decimal:
    return Decimal(points_halves) / 2


def _show(points_halves: int) -> str:
    sign = "-" if points_halves < 0 else ""
    whole, odd = divmod(abs(points_halves), 2)
    return f"{sign}{whole}.5" if odd else f"{sign}{whole}"


# Scores live in a small range; building these once takes Decimal construction out of the hot path.
_CACHED = range(-400, 401)
_DECIMALS = {h: _dec(h) for h in _CACHED}
_TEXTS = {h: _show(h) for h in _CACHED}


def dec(points_halves: int) -> Decimal:
    """Decimal points from half-points; prints as "21.5" or "20", never "20.0"."""
    cached = _DECIMALS.get(points_halves)
    return cached if cached is not None else _dec(points_halves)


def show(points_halves: int) -> str:
    cached = _TEXTS.get(points_halves)
    return cached if cached is not None else _show(points_halves)


def show_number(value: Decimal | int) -> str:
    """A user-entered number without exponent or trailing zeros: 32, 31.5, 0.1."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def show_quotient(numerator: int, denominator: int) -> str:
    """numerator / denominator to two decimals, cut (not rounded) and marked ≈ when not exact."""
    hundredths, rest = divmod(numerator * 100, denominator)
    whole, frac = divmod(hundredths, 100)
    text = str(whole) if frac == 0 else f"{whole}.{frac:02d}".rstrip("0")
    return f"≈ {text}" if rest else f"= {text}"
