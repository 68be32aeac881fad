"""The shared vocabulary every other app speaks: cities, countries, partnerships, languages
and themes, and the small helpers (mail, form widgets) that know nothing of the others.

It imports no other app of the project (tests/test_layering.py checks).
"""
