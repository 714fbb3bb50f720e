import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from branches import demo
from points import demo as points_demo
from study import demo as study_demo
from study.models import Arrangement


class Command(BaseCommand):
    help = "Load the demo committee (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="pretend today is this date (YYYY-MM-DD, not after today), for reproducible demos",
        )

    def handle(self, *args, today=None, **options):
        # The workflow services check dates against the real clock (an assembly cannot be held in
        # the future), so a demo can be dated back but not forward.
        if today is not None and today > timezone.localdate():
            raise CommandError(f"--today {today:%Y-%m-%d} 晚于今天，演示数据只能按今天或以前的日期生成。")
        created = demo.seed(today=today)
        points_created = points_demo.seed(today=today)
        had_arrangement = Arrangement.objects.exists()
        study_created = study_demo.seed_arrangement() is not None and not had_arrangement
        if created or points_created or study_created:
            self.stdout.write("演示数据已创建。")
        else:
            self.stdout.write("演示数据已存在，未重复创建。")
        self.stdout.write("演示账号（用户名 密码 角色）：")
        for line in demo.login_lines():
            self.stdout.write(line)
