"""Where Lépés relies on a library's internals: one module per reliance, named after it.

Each module says which version it was written against, and ``tests/kernel`` pins that version,
so an upgrade fails loudly at the pin instead of silently in production.
"""
