"""Re-export: the shared refusals now live in ``kernel.errors`` so that apps below casework
(``privacy``) can raise them without importing casework."""

from kernel.errors import *  # noqa: F403
from kernel.errors import __all__  # noqa: F401
