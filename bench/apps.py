from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Holds the ``bench`` management command; no models, no migrations."""

    name = "bench"
    verbose_name = "Benchmarks"
