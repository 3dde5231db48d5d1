"""Scoring the pipeline against a generated world's truth."""
