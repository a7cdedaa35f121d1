"""The README's settings table and two commands stay in step with the code."""

from __future__ import annotations

from monitor.config import PROJECT_ROOT, SETTINGS


def test_every_setting_is_documented() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [spec.name for spec in SETTINGS if f"`{spec.name}`" not in readme]
    assert not missing, f"README.md lacks settings: {missing}"
    assert "make run" in readme and "make test" in readme
