"""The refusals privacy raises are the shared ones (``kernel.errors``)."""

from kernel.errors import GuardFailed, InvalidInput, NotAllowed

__all__ = ["GuardFailed", "InvalidInput", "NotAllowed"]
