from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RankingConfig(AppConfig):
    name = "ranking"
    verbose_name = _("Evaluation and ranking")

    def ready(self):
        from ranking import lookups  # noqa: F401  (registers the integer lookups)
