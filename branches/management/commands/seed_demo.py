from django.core.management.base import BaseCommand

from branches import demo


class Command(BaseCommand):
    help = "Load the demo committee (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        created = demo.seed()
        self.stdout.write("演示数据已创建。" if created else "演示数据已存在，未重复创建。")
        self.stdout.write("演示账号（用户名 密码 角色）：")
        for line in demo.login_lines():
            self.stdout.write(line)
