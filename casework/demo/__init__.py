"""The demo data behind ``manage.py seed_demo``: data files (``data/``) and the code that tells
each cohort's story through the services (``story.py``)."""
