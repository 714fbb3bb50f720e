"""积分实施细则: a committee's or branch's scheme, validated by the engine before it is stored."""

from django.core.exceptions import ValidationError
from django.db import transaction

from branches.models import OrgKind
from branches.services import committee_of

from ..models import SchemeConfig
from ..scoring import GUIDELINE_SCHEME, Scheme, SchemeError
from ..selectors.facts import scheme_for


@transaction.atomic
def scheme_config_save(
    *, organization, applies_from: int, title: str, data: dict, actor=None
) -> SchemeConfig:
    """Store a unit's 实施细则 from the year it applies.

    A committee's rules must keep within the guideline's caps; a branch's within its committee's
    rules for that year (clause 六: 各党支部细化设定项目分值和评分标准).
    """
    if organization.kind == OrgKind.COMMITTEE:
        reference = GUIDELINE_SCHEME
    elif organization.is_branch:
        reference = scheme_for(committee_of(organization), applies_from)
    else:
        raise ValidationError("实施细则只能由党委或党支部制定。")
    try:
        scheme = Scheme.from_dict(data)
        scheme.validate_against(reference)
    except SchemeError as exc:
        raise ValidationError(f"实施细则有误：{exc}") from None
    config, _ = SchemeConfig.objects.update_or_create(
        organization=organization,
        applies_from=applies_from,
        defaults={"title": title, "data": scheme.to_dict(), "created_by": actor},
    )
    return config
