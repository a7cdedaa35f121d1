"""The source families and the parameters each accepts in `spiders/sources.toml` (pure data, no Scrapy).

A family is one way of getting items; its spider lives in `spiders/<module>.py` and is named like the family.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ParamSpec:
    kind: type
    default: Any
    meaning: str
    choices: tuple[str, ...] = ()


FAMILY_PARAMS: dict[str, dict[str, ParamSpec]] = {
    "feed": {
        "follow_links": ParamSpec(bool, False,
                                  "fetch each entry's page when the feed carries only a summary"),
        "browser_user_agent": ParamSpec(bool, False,
                                        "send a browser-like User-Agent (sites that demand one)"),
        "body_selector": ParamSpec(str, "", "CSS selector of the article body on followed pages"),
    },
    "rijksoverheid": {
        "sitemap_url": ParamSpec(str, "", "the Google-News sitemap cross-checked against the RSS window"),
        "window_days": ParamSpec(int, 2, "days of the rolling sort_date window sent to /api/rss"),
        "follow_links": ParamSpec(bool, True, "fetch each news page for the full body and ministry"),
    },
    "korean_gov": {
        "board": ParamSpec(str, "", "which board layout to parse",
                           ("motir_kor", "motir_eng", "msit", "korea_kr")),
        "pages": ParamSpec(int, 1, "list pages to read per run"),
        "fallback_urls": ParamSpec(list, [], "HTML list pages to use when the feed fails or is empty "
                                   "(korea_kr; startDate/endDate in them are set to the last two days)"),
        "ministry": ParamSpec(str, "", "ministry put on every item (korea_kr: unless the title has a [부처] "
                              "prefix; the HTML fallback list keeps only this ministry's rows)"),
    },
}

FAMILIES: tuple[str, ...] = tuple(FAMILY_PARAMS)
