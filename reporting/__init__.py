"""Funder reporting: the programme's indicators computed from the records casework and
community keep, against the targets the consortium committed to (DESIGN.md section 7).

``indicators.py`` declares each indicator once (what it counts, from which records); each is
one SQL aggregation grouped by partner organisation and location, so a report costs the same
number of queries for 100 participants or 100,000. ``reporting`` writes nothing but targets.
"""
