"""Benchmarks that compare this project's methods with the field's reference tools."""
