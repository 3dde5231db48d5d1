"""Governed publication: the release writer, the reader API, publication_log, erasure purge.

Readers use ``customer_truth.publication.reader`` only (see its docstring).
"""
