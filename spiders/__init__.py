"""Scrapy spiders, one module per source family. Thin: request → parse → item; no database, rules or delivery."""
