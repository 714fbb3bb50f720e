import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from branches.models import Organization, OrgKind

from ...reports import documents
from ...reports.pdf import render_pdf_cached

UNIT_KINDS = (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE, OrgKind.GENERAL_BRANCH)


class Command(BaseCommand):
    help = (
        "预先生成党委、机关党工委、党总支的年度积分情况报告 PDF，放入报告缓存（PDF_CACHE_DIR），"
        "当天下载时不必等待排版。宜每天凌晨由 cron 运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="积分年度（默认上一年度）")

    def handle(self, *args, year=None, **options):
        year = year or timezone.localdate().year - 1
        if not 2000 <= year <= 2100:
            raise CommandError(f"年度无效：{year}")
        units = list(Organization.objects.filter(kind__in=UNIT_KINDS).order_by("path"))
        started = time.perf_counter()
        for unit in units:
            t0 = time.perf_counter()
            render_pdf_cached("points/reports/pdf/annual_report.html", documents.annual_report(unit, year))
            self.stdout.write(f"{unit.name}{year}年度报告：{time.perf_counter() - t0:.1f} 秒")
        self.stdout.write(
            f"已生成 {len(units)} 份报告，用时 {time.perf_counter() - started:.1f} 秒，缓存于 {settings.PDF_CACHE_DIR}"
        )
