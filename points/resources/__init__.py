"""django-import-export resources: historical annual results and point items, in and out.

The export of a resource is also its import template: the same Chinese columns, so a file exported
from one deployment loads into another. Rows are looked up by codes (党支部代码, 党员编号) and by
labels (类别, 项目, 表彰级别, 帮教整改措施), never by database ids. Every row is checked against the
importing user's scope, and `points.reports.imports` runs the whole file in one transaction:
one bad row and nothing is written.
"""

from .entries import PointEntryResource
from .results import AnnualResultResource

__all__ = ["AnnualResultResource", "PointEntryResource"]
