"""Pure parse functions: decoded text and its URL in, item-ready field dicts out. No Scrapy, no network."""
