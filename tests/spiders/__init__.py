"""Parse-level tests of the family spiders: responses built by hand from fixture bytes, no reactor."""
