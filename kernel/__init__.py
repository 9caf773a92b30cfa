"""What every app may import: the shared refusals (``kernel.errors``). It imports no app."""
