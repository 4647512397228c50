"""The documentation site: built with ``mkdocs build --strict``, then served on 127.0.0.1 and read
in headless Chromium (Debian's ``chromium``, driven by Playwright; never Playwright's own browser
download) as a reader would: the rule catalogue, the search box, and every page of the nav.

One build and one browser for the module keep it to a few seconds beyond the build.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import pytest
import yaml
from playwright.sync_api import Browser, Page

from tests.support.chromium import launched_chromium
from tests.support.paths import REPO_ROOT
from voxkit.cli import cli
from voxkit.specdiff import CHECKS, OASDIFF_CHECK_IDS

# What the browser may do here: run headless, and reach nothing but the loopback server.
README_LIMIT = 10 * 1024


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context()
    outside: list[str] = []

    # Every other host resolves to nothing (tests.support.chromium); any request to one is reported.
    context.on(
        "request",
        lambda request: (
            None
            if urlsplit(request.url).hostname == "127.0.0.1" or request.url.startswith("data:")
            else outside.append(request.url)
        ),
    )
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
    assert outside == [], f"the site asked for something outside the loopback server: {outside}"


def _nav_urls(page: Page, base_url: str) -> list[str]:
    page.goto(base_url)
    hrefs = page.eval_on_selector_all(
        "nav.md-nav--primary a.md-nav__link[href]", "links => links.map(a => a.href)"
    )
    return sorted({href.split("#", 1)[0] for href in hrefs if href.startswith(base_url)})


# --- the build ----------------------------------------------------------------------------


def test_every_page_of_the_nav_is_built(site: Path) -> None:
    config = yaml.load((REPO_ROOT / "mkdocs.yml").read_text("utf-8"), Loader=yaml.BaseLoader)

    def pages(node: Any) -> Iterator[str]:
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from pages(value)
        elif isinstance(node, list):
            for value in node:
                yield from pages(value)

    listed = list(pages(config["nav"]))
    assert len(listed) >= 20
    for source in listed:
        stem = source.removesuffix(".md")
        built = site / "index.html" if stem == "index" else site / stem / "index.html"
        assert built.is_file(), source


def test_the_cli_reference_has_every_command_and_option(site: Path) -> None:
    html = (site / "reference" / "cli" / "index.html").read_text("utf-8")

    def walk(ctx: click.Context) -> Iterator[click.Context]:
        yield ctx
        if isinstance(ctx.command, click.Group):
            for name in ctx.command.list_commands(ctx):
                sub = ctx.command.get_command(ctx, name)
                assert sub is not None
                yield from walk(click.Context(sub, info_name=name, parent=ctx))

    contexts = list(walk(click.Context(cli, info_name="voxkit", **cli.context_settings)))
    assert len(contexts) >= 9
    for ctx in contexts:
        anchor = "-".join(ctx.command_path.split())
        assert f'id="{anchor}"' in html, ctx.command_path
        # The command's own section, up to the next heading of a command.
        section = html.split(f'id="{anchor}"', 1)[1]
        section = re.split(r'<h[2-4] id="voxkit', section, maxsplit=1)[0]
        for param in ctx.command.get_params(ctx):
            if isinstance(param, click.Option) and not param.hidden:
                for opt in (*param.opts, *param.secondary_opts):
                    assert opt in section, f"{ctx.command_path} {opt}"


def test_the_spec_diff_checks_page_lists_every_check_and_marks_oasdiffs(site: Path) -> None:
    # (This carries the README's former "oasdiff checks implemented" list, which moved here.)
    html = (site / "reference" / "spec-diff-checks" / "index.html").read_text("utf-8")
    rows = re.findall(r"<tr>\s*<td><code>([a-z0-9-]+)</code></td>(.*?)</tr>", html, re.DOTALL)
    listed = dict(rows)
    assert len(rows) == len(listed) == len(CHECKS)
    assert set(listed) == set(CHECKS)
    assert {c for c, cells in listed.items() if "<em>oasdiff</em>" in cells} == OASDIFF_CHECK_IDS
    for check_id, cells in listed.items():
        breaking = "<strong>breaking</strong>" in cells
        assert breaking == (CHECKS[check_id].classification.value == "breaking"), check_id


# --- in the browser -----------------------------------------------------------------------


def test_the_rule_catalogue_lists_every_rule_of_voxkit_rules(page: Page, base_url: str) -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "voxkit", "rules", "--format", "json"],
        capture_output=True,
        check=True,
        cwd=REPO_ROOT,
    )
    rules = json.loads(listed.stdout)
    assert len(rules) >= 20
    page.goto(base_url + "reference/rules/")
    table = page.eval_on_selector_all(
        "article table tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))",
    )
    shown = {row[0]: row for row in table}
    assert list(shown) == [rule["id"] for rule in rules]
    for rule in rules:
        assert shown[rule["id"]][1] == rule["severity"], rule["id"]
        assert shown[rule["id"]][3] == rule["description"], rule["id"]
        section = page.locator(f"[id='{rule['id'].lower()}']")
        assert section.count() == 1, rule["id"]
    text = page.inner_text("article")
    for rule in rules:
        for url in re.findall(r"https://docs\.tryvox\.co/\S+", rule["source"]):
            assert url in text, (rule["id"], url)


def test_the_search_box_finds_vox_e001(page: Page, base_url: str) -> None:
    page.goto(base_url)
    page.click("input.md-search__input", timeout=5000)
    page.keyboard.type("VOX-E001")
    # Results follow the typing; the rule's own section among them is the answer.
    found = page.locator(".md-search-result__item a[href*='reference/rules/'][href$='#vox-e001']")
    found.first.wait_for(timeout=15000)
    assert page.input_value("input.md-search__input") == "VOX-E001"
    assert "VOX-E001" in found.first.inner_text()


def test_no_page_logs_a_console_error(page: Page, base_url: str) -> None:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.url}: HTTP {response.status}")
            if response.status >= 400
            else None
        ),
    )
    urls = _nav_urls(page, base_url)
    assert len(urls) >= 20, urls
    page.wait_for_load_state("networkidle")  # the home page, with the search index loaded
    for url in urls:
        page.goto(url, wait_until="load")
        assert page.locator("article h1").count() == 1, url
    assert problems == []


# --- the README and the pre-commit hook ---------------------------------------------------


def test_the_readme_fits_and_links_into_the_docs() -> None:
    readme = (REPO_ROOT / "README.md").read_bytes()
    assert len(readme) <= README_LIMIT, f"README.md is {len(readme)} bytes"
    links = re.findall(r"\]\((docs/[^)#]+)", readme.decode("utf-8"))
    assert len(set(links)) >= 8, links
    for link in links:
        assert (REPO_ROOT / link).is_file(), link


def test_the_pre_commit_hook_validates_the_captures_it_matches() -> None:
    (hook,) = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "voxkit-validate"
    assert hook["entry"] == "voxkit validate"
    assert hook["language"] == "python"
    files = re.compile(hook["files"])
    for name in ("a.json", "a.jsonl", "a.ndjson", "a.yaml", "a.yml", "a.har", "a.jsonl.gz"):
        assert files.search(name), name
    for name in ("a.py", "a.md", "a.txt", "jsonl", "pyproject.toml"):
        assert not files.search(name), name
    # What pre-commit would run on the valid examples: the entry, then the matched files.
    matched = sorted(
        str(p.relative_to(REPO_ROOT))
        for p in (REPO_ROOT / "examples").rglob("*")
        if p.is_file() and files.search(p.name)
    )
    valid = [name for name in matched if name.startswith("examples/valid/")]
    assert valid
    entry = hook["entry"].split()
    assert entry[0] == "voxkit"
    run = subprocess.run(
        [sys.executable, "-m", "voxkit", *entry[1:], *valid],
        cwd=REPO_ROOT,
        capture_output=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout
    invalid = [name for name in matched if name.startswith("examples/invalid/")]
    run = subprocess.run(
        [sys.executable, "-m", "voxkit", *entry[1:], *invalid],
        cwd=REPO_ROOT,
        capture_output=True,
        check=False,
    )
    assert run.returncode == 1, run.stdout
