"""Every reliance on a library's internals is pinned to the release it was written against: an
upgrade fails here, by name, instead of silently somewhere in production."""

from importlib.metadata import version

import pytest
from django.db import transaction

from kernel.compat import django_on_commit, simple_history_speedup
from workflows import nodes


def _release(distribution: str) -> str:
    return ".".join(version(distribution).split(".")[:2])


@pytest.mark.parametrize(
    "module, distribution",
    [
        (django_on_commit, "Django"),
        (simple_history_speedup, "django-simple-history"),
        (nodes, "django-viewflow"),
    ],
    ids=["django_on_commit", "simple_history_speedup", "workflows.nodes"],
)
def test_a_library_shim_runs_on_the_release_it_was_written_against(module, distribution):
    assert _release(distribution) == module.WRITTEN_AGAINST, (
        f"{distribution} is {version(distribution)}: re-read {module.__name__} against it, "
        "then move WRITTEN_AGAINST"
    )


@pytest.mark.django_db(transaction=True)
def test_a_callback_of_a_rolled_back_savepoint_is_no_longer_pending():
    def kept():
        pass

    def dropped():
        pass

    with transaction.atomic():
        transaction.on_commit(kept)
        try:
            with transaction.atomic():
                transaction.on_commit(dropped)
                assert django_on_commit.is_pending(dropped)
                raise RuntimeError
        except RuntimeError:
            pass
        assert django_on_commit.is_pending(kept)
        assert not django_on_commit.is_pending(dropped)
