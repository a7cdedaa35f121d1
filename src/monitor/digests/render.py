"""Digest content → subject, plain text and HTML, from the Jinja2 templates in alerts/templates/.

Templates are operator-editable, so they render in Jinja2's immutable sandbox with autoescape on for HTML,
undefined names are errors, and the HTML goes through the allow-list sanitiser afterwards. One environment
per templates folder is kept (its compiled-template cache is what makes 1,000 digests cheap).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from monitor.config import PROJECT_ROOT
from monitor.digests.content import DigestContent
from monitor.digests.html_safety import clean_email_html, html_document
from monitor.digests.plain_text import header_text, strip_controls

DEFAULT_TEMPLATES_DIR = PROJECT_ROOT / "alerts" / "templates"
HTML_TEMPLATE = "digest.html.j2"
TEXT_TEMPLATE = "digest.txt.j2"
SUBJECT_TEMPLATE = "digest_subject.txt.j2"


class DigestTemplateError(RuntimeError):
    """A digest template that does not load or render (syntax, unknown name, unsafe access)."""


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str


def _autoescape(template_name: str | None) -> bool:
    return template_name is None or ".html" in template_name or ".htm" in template_name


def make_environment(templates_dir: Path) -> ImmutableSandboxedEnvironment:
    """A sandboxed environment over one folder: autoescape for *.html*, strict undefined names."""
    return ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=_autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class DigestTemplates:
    """The three templates of one folder, rendered in the sandbox."""

    def __init__(self, templates_dir: Path = DEFAULT_TEMPLATES_DIR) -> None:
        self.templates_dir = templates_dir
        self.environment = make_environment(templates_dir)

    def _render(self, name: str, content: DigestContent) -> str:
        try:
            return self.environment.get_template(name).render(digest=content)
        except Exception as error:  # syntax, undefined, SecurityError, or any error an operator's template raises
            raise DigestTemplateError(
                f"template {self.templates_dir / name} failed: {type(error).__name__}: {error}"
            ) from None

    def render(self, content: DigestContent) -> RenderedDigest:
        subject = header_text(self._render(SUBJECT_TEMPLATE, content), limit=180) or content.name
        text = strip_controls(self._render(TEXT_TEMPLATE, content))
        body = clean_email_html(strip_controls(self._render(HTML_TEMPLATE, content)))
        return RenderedDigest(subject, text, html_document(body, title=subject))


@lru_cache(maxsize=16)
def templates_for(templates_dir: Path = DEFAULT_TEMPLATES_DIR) -> DigestTemplates:
    """One DigestTemplates per folder per process (edits are picked up: Jinja2 checks file times)."""
    return DigestTemplates(templates_dir)
