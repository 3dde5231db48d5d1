"""Privacy before publication: free-text redaction, erasure suppression, consumer policies."""
