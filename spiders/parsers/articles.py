"""The main text of an article page: a CSS selector when the site's structure is known, else trafilatura."""

from __future__ import annotations

import soupsieve

from spiders.parsers.markup import drop_invisible, parse_html, text_of


def valid_selector(selector: str) -> bool:
    try:
        soupsieve.compile(selector)
    except (soupsieve.SelectorSyntaxError, ValueError, TypeError):
        return False
    return True


def extract_article(text: str, url: str, selector: str = "") -> str:
    """The article's main text as HTML, '' when none is found; `selector` must pass valid_selector."""
    import trafilatura  # imported on first use: it costs ~0.3 s of start-up that feed-only crawls never need

    if selector:
        soup = parse_html(text)
        drop_invisible(soup)
        return "\n".join(str(tag) for tag in soup.select(selector) if text_of(tag))
    extracted = trafilatura.extract(
        text, url=url, output_format="html", include_comments=False, include_tables=True, deduplicate=False
    )
    return extracted or ""
