"""Report reads go to the replica when one is configured, and nothing else does."""

from django.conf import settings

from casework.models import Case
from reporting.routers import REPLICA, ReportReplicaRouter, reading_reports

router = ReportReplicaRouter()


def test_without_a_replica_reports_read_the_primary():
    assert REPLICA not in settings.DATABASES
    with reading_reports():
        assert router.db_for_read(Case) is None


def test_with_a_replica_only_report_reads_go_there(monkeypatch):
    monkeypatch.setitem(settings.DATABASES, REPLICA, {"ENGINE": "django.db.backends.postgresql"})
    assert router.db_for_read(Case) is None  # casework pages read the primary
    with reading_reports():
        assert router.db_for_read(Case) == REPLICA
        assert router.db_for_write(Case) is None  # writes never go to a replica
    assert router.db_for_read(Case) is None
    assert router.allow_migrate(REPLICA, "casework") is False
    assert router.allow_migrate("default", "casework") is True


def test_settings_add_the_replica_and_its_router_from_the_environment(monkeypatch):
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader@127.0.0.1:5433/lepes")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.DATABASES["replica"]["HOST"] == "127.0.0.1"
        assert reloaded.DATABASES["replica"]["TEST"] == {"MIRROR": "default"}
        assert reloaded.DATABASE_ROUTERS == ["reporting.routers.ReportReplicaRouter"]
    finally:
        monkeypatch.delenv("DATABASE_REPLICA_URL")
        importlib.reload(base)
