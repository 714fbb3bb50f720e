from django.core.exceptions import ValidationError

DENIED = "您没有权限进行此操作。"


def require(user, perm: str, obj=None, message: str = DENIED) -> None:
    """Services check the actor's right too, so a caller other than the view cannot skip it."""
    if user is None or not user.has_perm(perm, obj):
        raise ValidationError(message)
