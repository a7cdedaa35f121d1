"""Near-duplicate detection: MinHash fingerprints and LSH band keys that group copies of one story."""
