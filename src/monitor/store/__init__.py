"""The store: the single source of truth for identity and novelty (SQLite by default, PostgreSQL for several nodes)."""
