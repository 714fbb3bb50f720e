from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """The security and operations code of members/security: admin, receivers, management commands.

    Its models live in members/models.py (app label "members"); this app has none of its own.
    """

    name = "members.security"
    label = "security"
    verbose_name = "安全审计"

    def ready(self):
        # Every login and logout, whichever view or test helper performs it, stamps the session and
        # is logged: Django announces both only through these two signals.
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from .sessions import on_logged_in, on_logged_out

        user_logged_in.connect(on_logged_in, dispatch_uid="security-logged-in")
        user_logged_out.connect(on_logged_out, dispatch_uid="security-logged-out")
