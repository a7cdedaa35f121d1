"""Writes templated.jsonl: every template of templates_{en,nl,ko}.py with four fillings of its slots.

The labels belong to the template (what an analyst expects), never to what the rules happen to match.
Run from the repository root: .venv/bin/python tests/rules/corpus/generate.py
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

from tests.rules.corpus import templates_en, templates_ko, templates_nl

SOURCES = {"en": "trade-press-en", "nl": "rijksoverheid-nieuws", "ko": "korea-kr-press"}
VARIANTS = 4


def slot_names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def generate() -> list[dict[str, object]]:
    rng = random.Random(20250214)
    items: list[dict[str, object]] = []
    for language, module in (("en", templates_en), ("nl", templates_nl), ("ko", templates_ko)):
        for number, (title, body, labels) in enumerate(module.TEMPLATES):
            for variant in range(VARIANTS):
                fill = {name: rng.choice(module.SLOTS[name]) for name in slot_names(title + body)}
                items.append(
                    {
                        "id": f"{language}-t{number:02d}-{variant}",
                        "lang": language,
                        "source": SOURCES[language],
                        "title": title.format(**fill),
                        "body": body.format(**fill),
                        "expect": sorted(labels),
                    }
                )
    return items


def main() -> None:
    target = Path(__file__).resolve().parent / "templated.jsonl"
    lines = [json.dumps(item, ensure_ascii=False) for item in generate()]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} items written to {target}")


if __name__ == "__main__":
    main()
