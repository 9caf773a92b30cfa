"""Benchmarks at programme scale (``manage.py bench``) and the bulk data generator behind
``manage.py generate_load``. Nothing here runs in production requests."""
