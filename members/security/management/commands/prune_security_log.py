import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from members.models import LoginFailure, LoginLock, SecurityEvent

from ...lockout import lift_expired


class Command(BaseCommand):
    help = "删除早于保留期（至少 180 天）的安全审计日志；拒绝删除更新的记录。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.SECURITY_LOG_RETENTION_DAYS,
            help=f"保留天数（不少于 {settings.SECURITY_LOG_RETENTION_DAYS}）",
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days, dry_run=False, **options):
        minimum = settings.SECURITY_LOG_RETENTION_DAYS
        if days < minimum:
            raise CommandError(
                f"安全审计日志至少保留 {minimum} 天（等级保护要求不少于六个月），拒绝删除 {days} 天内的记录。"
            )
        now = timezone.now()
        cutoff = now - datetime.timedelta(days=days)
        lift_expired(now)
        events = SecurityEvent.objects.filter(at__lt=cutoff)
        locks = LoginLock.objects.filter(until__lt=cutoff)
        # Failures only matter inside the 15-minute window; a day is plenty.
        failures = LoginFailure.objects.filter(at__lt=now - datetime.timedelta(days=1))
        counts = (events.count(), locks.count(), failures.count())
        if not dry_run:
            with transaction.atomic():
                events.delete()
                locks.delete()
                failures.delete()
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(
            f"{verb} {cutoff:%Y-%m-%d} 之前的安全日志 {counts[0]} 条、锁定记录 {counts[1]} 条，以及过期的登录失败记录 {counts[2]} 条。"
        )
