from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from simple_history.signals import post_create_historical_record

        from kernel.services import bulk_history_created
        from privacy import erasure as privacy_erasure

        from . import chain, erasure

        # Every history row, whichever app wrote it, is chained in the writer's transaction.
        post_create_historical_record.connect(chain.on_history_row, dispatch_uid="audit.chain")
        # ... and every batch of history rows written in bulk (an import of a register).
        bulk_history_created.connect(chain.on_bulk_history, dispatch_uid="audit.chain.bulk")
        # The field lists the chain hashes are recorded after every migrate (and flush).
        post_migrate.connect(chain.record_schemas, sender=self, dispatch_uid="audit.schemas")
        # privacy's requests (Art. 17) and the retention purge erase through this app.
        privacy_erasure.plug(erasure.erase_client)
