"""Journeys for people: the timeline picture of one customer (``picture.py``)."""
