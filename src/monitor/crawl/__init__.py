"""Crawl glue: Scrapy settings, middlewares, item pipelines, run recording and the crawler runner."""
