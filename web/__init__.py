"""The web UI: views, forms and urls, one package per app (``web.privacy``, ...)."""
