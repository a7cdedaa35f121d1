"""`monitor digest` and `monitor digests` on a copy of the alerts folder, a SQLite store and aiosmtpd."""

from __future__ import annotations

import email
import shutil
from email import policy
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from monitor.cli import main
from monitor.store.database import open_store
from monitor.store.digest_models import DigestSend
from tests.digests.seed import ALERTS_DIR
from tests.digests.smtp_server import SmtpServer

DIGESTS = """
[digests.kr-team]
name = "KR team digest"
channel = "mail"
recipients = ["a@example.org", "b@example.org"]
schedule = "0 8 * * *"
timezone = "Asia/Seoul"
send_when_empty = true
"""
CHANNELS = """
[channels.mail]
kind = "email"
smtp_host = "127.0.0.1"
smtp_port = {port}
security = "none"
sender = "monitor@example.org"
"""


def alerts_copy(tmp_path: Path, port: int) -> dict[str, str]:
    alerts = tmp_path / "alerts"
    for folder in ("rules", "concepts", "templates"):
        shutil.copytree(ALERTS_DIR / folder, alerts / folder)
    (alerts / "digests.toml").write_text(DIGESTS, encoding="utf-8")
    (alerts / "channels.toml").write_text(CHANNELS.format(port=port), encoding="utf-8")
    return {"MONITOR_ALERTS_DIR": str(alerts), "MONITOR_HOME": str(tmp_path / "var"),
            "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'monitor.db'}"}


def test_digest_now_sends_and_digests_lists_it(tmp_path: Path) -> None:
    with SmtpServer() as server:
        env = alerts_copy(tmp_path, server.port)
        runner = CliRunner()
        sent = runner.invoke(main, ["digest", "kr-team", "--now"], env=env)
        assert sent.exit_code == 0, sent.output
        assert "kr-team: sent" in sent.output and len(server.received) == 1
        again = runner.invoke(main, ["digest"], env=env)
        assert again.exit_code == 0 and "nothing due" in again.output
    listing = runner.invoke(main, ["digests"], env=env)
    assert listing.exit_code == 0, listing.output
    assert "kr-team" in listing.output and "0 8 * * * Asia/Seoul" in listing.output and "KST" in listing.output
    assert "never" not in listing.output


def test_dry_run_writes_an_eml_and_sends_nothing(tmp_path: Path) -> None:
    env = alerts_copy(tmp_path, 1)
    out = tmp_path / "previews"
    result = CliRunner().invoke(main, ["digest", "kr-team", "--dry-run", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    (path,) = out.glob("kr-team-*.eml")
    assert str(path) in result.output.replace("\n", "")
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message.get_content_type() == "multipart/alternative" and "KR team digest" in str(message["Subject"])
    engine = open_store(env["MONITOR_DATABASE_URL"])
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(DigestSend)).scalar_one() == 0
    engine.dispose()


def test_unknown_digest_and_bad_file_are_clear_errors(tmp_path: Path) -> None:
    env = alerts_copy(tmp_path, 1)
    unknown = CliRunner().invoke(main, ["digest", "nope", "--now"], env=env)
    assert unknown.exit_code != 0 and "no digest 'nope'" in unknown.output
    Path(env["MONITOR_ALERTS_DIR"], "digests.toml").write_text(
        DIGESTS.replace("Asia/Seoul", "Asia/Soul"), encoding="utf-8")
    broken = CliRunner().invoke(main, ["digests"], env=env)
    assert broken.exit_code != 0 and "[digests.kr-team] timezone: unknown time zone" in broken.output
