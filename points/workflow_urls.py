"""URLs of the quarterly workflow (clause 四): quarters, declarations, review, assembly, publicity,
objections, annual roll-up and filing, a member's year."""

from django.urls import path

from .views.workflow import annual, declarations, publicity, quarters, review

urlpatterns = [
    path("branches/<int:pk>/quarters/", quarters.quarters, name="quarters"),
    path("quarters/<int:pk>/", quarters.quarter_detail, name="quarter"),
    path("quarters/<int:pk>/start-review/", quarters.quarter_start_review, name="quarter_start_review"),
    path("quarters/<int:pk>/publish/", quarters.quarter_publish, name="quarter_publish"),
    path("quarters/<int:pk>/close/", quarters.quarter_close, name="quarter_close"),
    path("quarters/<int:pk>/declare/", declarations.declare, name="declare"),
    path("declarations/<int:pk>/edit/", declarations.declaration_edit, name="declaration_edit"),
    path("declarations/<int:pk>/submit/", declarations.declaration_submit, name="declaration_submit"),
    path("declarations/<int:pk>/withdraw/", declarations.declaration_withdraw, name="declaration_withdraw"),
    path("declarations/<int:pk>/evidence/", declarations.declaration_evidence, name="declaration_evidence"),
    path("quarters/<int:pk>/review/", review.review, name="review"),
    path("quarters/<int:pk>/review/<int:member_pk>/", review.review_member, name="review_member"),
    path(
        "quarters/<int:pk>/review/<int:member_pk>/add/<str:entry_type>/", review.entry_add, name="entry_add"
    ),
    path("declarations/<int:pk>/review/", review.declaration_review, name="declaration_review"),
    path("entries/<int:pk>/correct/", review.entry_correct, name="entry_correct"),
    path("quarters/<int:pk>/assembly/", publicity.assembly, name="assembly"),
    path("quarters/<int:pk>/object/", publicity.objection_new, name="object"),
    path("objections/", publicity.objections, name="objections"),
    path("objections/<int:pk>/", publicity.objection_handle, name="objection_handle"),
    path("branches/<int:pk>/annual/<int:year>/", annual.annual, name="annual"),
    path("branches/<int:pk>/annual/<int:year>/roll-up/", annual.annual_roll_up, name="annual_roll_up"),
    path("filings/", annual.filings, name="filings"),
    path("filings/<int:pk>/submit/", annual.filing_submit, name="filing_submit"),
    path("filings/<int:pk>/review/", annual.filing_review, name="filing_review"),
    path("filings/<int:pk>/reopen/", annual.filing_reopen, name="filing_reopen"),
    path("members/<int:pk>/year/<int:year>/", annual.member_year, name="member_year"),
]
