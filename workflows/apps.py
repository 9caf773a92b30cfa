from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        # Imported once the app registry is ready (the flow's models and casework's are
        # needed), so that post_migrate creates the flow's permissions; then the engine is
        # plugged into the casework services that drive it (casework/journey_flow.py).
        from casework import journey_flow

        from . import engine, flows, open_tasks  # noqa: F401 (flows: registered for post_migrate)

        journey_flow.plug(engine)
        open_tasks.connect()
