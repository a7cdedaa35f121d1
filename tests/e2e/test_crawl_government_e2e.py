"""The Rijksoverheid and Korean-government families end to end: fixture pages served over real HTTP on
loopback → `monitor crawl` → SQLite and PostgreSQL; re-crawls create nothing; a changed release is a revision."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FIXTURES
from tests.e2e.harness import query, run_monitor, source_table, write_sources
from tests.fixture_server import Answer, FixtureServer

SEED_PATH = "/actueel/nieuws/2025/02/14/bedrijven-en-minister-beljaarts-naar-zuid-korea-voor-hightech-en-halfgeleiders"
MOTIR_LIST = "/kor/article/ATCL3f49a5a8c"


def fixture(relative: str, server: FixtureServer, host: str) -> bytes:
    """A fixture file with the real site's host pointed at the fixture server."""
    return (FIXTURES / relative).read_bytes().replace(host.encode(), server.url("").encode())


def serve_rijksoverheid(server: FixtureServer) -> None:
    host = "https://www.rijksoverheid.nl"
    server.add("/robots.txt", Answer(status=404))
    server.add("/api/rss", Answer(body=fixture("rijksoverheid-news/api-rss.xml", server, host),
                                  headers={"Content-Type": "application/rss+xml; charset=utf-8"}))
    server.add("/news/sitemap.xml", Answer(body=fixture("rijksoverheid-news/news-sitemap.xml", server, host),
                                           headers={"Content-Type": "application/xml"}))
    server.add(SEED_PATH, Answer(body=fixture("rijksoverheid-news/article-beljaarts-2025-02-14.html", server, host),
                                 headers={"Content-Type": "text/html; charset=utf-8"}))


def test_rijksoverheid_seed_release_end_to_end(fixture_server: FixtureServer, database_url: str,
                                               tmp_path: Path) -> None:
    serve_rijksoverheid(fixture_server)
    sources = write_sources(tmp_path / "sources.toml", source_table(
        "rijksoverheid-news", "rijksoverheid", [fixture_server.url("/api/rss")], language="nl",
        sitemap_url=fixture_server.url("/news/sitemap.xml"), window_days=1))
    first = run_monitor(["crawl", "--all", "--no-progress"], database_url, sources)
    assert "rijksoverheid-news" in first.stdout, first.stderr
    stored = query(database_url, "select count(*) from items")[0][0]
    assert stored >= 5  # 4 RSS items and the sitemap-only ones, each once
    seed_text = (FIXTURES / "rijksoverheid-news/seed-beljaarts.txt").read_text(encoding="utf-8")
    [(ministry, published, body, language)] = query(
        database_url, "select ministry, published_at, body, language from items where url like :u",
        u=f"%{SEED_PATH}")
    assert "Economische Zaken" in ministry
    assert str(published).startswith("2025-02-14")
    assert language == "nl"
    for paragraph in [p.strip() for p in seed_text.split("\n\n")[1:] if p.strip()]:
        assert " ".join(paragraph.split()) in " ".join(body.split())
    assert "self.__next_f" not in body

    run_monitor(["crawl", "--all", "--no-progress"], database_url, sources)
    assert query(database_url, "select count(*) from items")[0][0] == stored


def serve_motir(server: FixtureServer, detail_170183: bytes, etag: str, views: str = "1204") -> None:
    """The list page shows view counts, so it changes whenever anyone reads a release."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    server.add("/robots.txt", Answer(status=404))
    listing = (FIXTURES / "motir-press-ko/list-page1.html").read_bytes().replace(b"<td>1204</td>",
                                                                                 f"<td>{views}</td>".encode())
    server.add(MOTIR_LIST, Answer(body=listing, headers={**html, "ETag": etag}))
    server.add(f"{MOTIR_LIST}/170183/view", Answer(body=detail_170183, headers=html))
    server.add(f"{MOTIR_LIST}/170175/view",
               Answer(body=(FIXTURES / "motir-press-ko/detail-170175.html").read_bytes(), headers=html))


def test_motir_board_end_to_end_with_revision(fixture_server: FixtureServer, database_url: str,
                                              tmp_path: Path) -> None:
    detail = (FIXTURES / "motir-press-ko/detail-170183.html").read_bytes()
    serve_motir(fixture_server, detail, '"list-1"')
    sources = write_sources(tmp_path / "sources.toml", source_table(
        "motir-press-ko", "korean_gov", [fixture_server.url(MOTIR_LIST + "?pageIndex=1")], language="ko",
        board="motir_kor"))
    first = run_monitor(["crawl", "--all", "--no-progress"], database_url, sources)
    assert first.returncode in (0, 1), first.stderr
    rows = query(database_url, "select title, language, body from items order by title")
    assert len(rows) == 4  # four rows on the list; two details 404 and keep their list-level fields
    assert all(language == "ko" for _, language, _ in rows)
    assert any("반도체" in body for _, _, body in rows)

    second = run_monitor(["crawl", "--all", "--no-progress"], database_url, sources)
    assert "not_modified" in second.stdout
    assert query(database_url, "select count(*) from items") == [(4,)]

    corrected = detail.replace(b"28.5%", b"28.7%", 1)
    assert corrected != detail
    serve_motir(fixture_server, corrected, '"list-2"', views="1311")
    run_monitor(["crawl", "--all", "--no-progress"], database_url, sources)
    assert query(database_url, "select count(*) from items") == [(4,)]
    assert query(database_url, "select count(*) from item_revisions") == [(1,)]


def test_korea_kr_feed_end_to_end(fixture_server: FixtureServer, sqlite_url: str, tmp_path: Path) -> None:
    fixture_server.add("/robots.txt", Answer(status=404))
    fixture_server.add("/rss/dept_motir.xml", Answer(
        body=(FIXTURES / "koreakr-motir/dept_motir.xml").read_bytes(),
        headers={"Content-Type": "application/rss+xml; charset=utf-8"}))
    sources = write_sources(tmp_path / "sources.toml", source_table(
        "koreakr-motir", "korean_gov", [fixture_server.url("/rss/dept_motir.xml")], language="ko",
        board="korea_kr"))
    for _ in range(3):
        result = run_monitor(["crawl", "--all", "--no-progress"], sqlite_url, sources)
        assert result.returncode == 0, result.stdout + result.stderr
    rows = query(sqlite_url, "select canonical_url, body from items")
    assert len(rows) == 3
    assert all("call_from" not in url for url, _ in rows)
    assert not any("btn_textview" in body or "자료제공" in body for _, body in rows)
