"""Media-monitoring scraper and alerting service for the NL–KR semiconductor beat."""

__version__ = "0.1.0"
