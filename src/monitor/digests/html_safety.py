"""The last line of defence for digest HTML: an allow-list sanitiser (nh3) over everything a template made.

Item text is escaped by the template already; this pass also holds for an operator's edited template: no
scripts, forms, inputs, `<meta refresh>`, `<base>`, images (so no `data:` images), positioned overlays, and
links only to http, https and mailto.
"""

from __future__ import annotations

from html import escape

import nh3

EMAIL_TAGS = frozenset({
    "a", "b", "blockquote", "br", "caption", "center", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i",
    "li", "ol", "p", "pre", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul",
})
DROPPED_WITH_CONTENT = frozenset({"script", "style", "title", "textarea", "select", "template", "noscript"})
EMAIL_ATTRIBUTES = {
    "*": {"style", "align", "valign", "dir", "lang", "title", "width", "bgcolor"},
    "a": {"href"},
    "table": {"cellpadding", "cellspacing", "border", "role"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
_BOX = ("", "-top", "-right", "-bottom", "-left")
STYLE_PROPERTIES = frozenset({
    "color", "background-color", "font-family", "font-size", "font-weight", "font-style", "line-height",
    "text-align", "text-decoration", "vertical-align", "width", "max-width", "min-width", "border-collapse",
    "border-radius", "letter-spacing", "white-space", "word-break", "overflow-wrap",
    *(f"padding{side}" for side in _BOX), *(f"margin{side}" for side in _BOX),
    *(f"border{side}" for side in _BOX),
})
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def clean_email_html(fragment: str) -> str:
    """The fragment with only allowed tags, attributes, style properties and link schemes left."""
    return nh3.clean(
        fragment,
        tags=set(EMAIL_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in EMAIL_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",
        filter_style_properties=set(STYLE_PROPERTIES),
        strip_comments=True,
    )


def html_document(body: str, *, title: str, lang: str = "en") -> str:
    """A complete HTML e-mail around an already cleaned body; `title` is plain text."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n</head>\n"
        '<body style="margin:0;padding:0;background-color:#f3f4f6;">\n'
        f"{body}\n</body>\n</html>\n"
    )
