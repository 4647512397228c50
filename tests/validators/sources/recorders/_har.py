"""HAR recordings: mitmproxy's HAR export (``mitmdump --set hardump=``) and Chromium's
(Playwright's ``record_har_path``), both on loopback only."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests
from playwright.sync_api import Browser

from tests.support.tools import venv_tool
from tests.validators.sources.recorders._proxy import PAGE_PATH
from tests.validators.sources.recorders._script import Step

MITMPROXY_REQUIREMENTS = Path(__file__).with_name("mitmproxy.txt")


def provision_mitmdump() -> str:
    """The mitmdump of mitmproxy's own environment, made from the pinned ``mitmproxy.txt`` when
    missing (mitmproxy 11, the last for Python 3.11, pins h11<=0.14, which httpx's httpcore
    refuses, so it cannot share the project's environment). ``VOXKIT_MITMDUMP`` names another."""
    return venv_tool("mitmproxy", MITMPROXY_REQUIREMENTS, "mitmdump", override="VOXKIT_MITMDUMP")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"mitmdump exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"mitmdump did not listen on {port} within {timeout} s")


@contextmanager
def mitmproxy(mitmdump: str, har: Path, confdir: Path) -> Iterator[str]:
    """A regular HTTP proxy on loopback that writes every flow to ``har`` when it stops; yields
    its URL. Its CA and settings go to ``confdir``, never the home folder."""
    port = _free_port()
    command = [
        mitmdump,
        "--listen-host",
        "127.0.0.1",
        "--listen-port",
        str(port),
        "--set",
        f"confdir={confdir}",
        "--set",
        f"hardump={har}",
        "--set",
        "termlog_verbosity=error",
        "--set",
        "flow_detail=0",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)  # a clean stop: the HAR is written on exit
        output, _ = process.communicate(timeout=20)
        assert process.returncode == 0, output.decode("utf-8", "replace")[-2000:]


def send_through(proxy: str, url: str, key: str, steps: Sequence[Step]) -> None:
    """The session sent with ``requests`` through the HTTP proxy ``proxy``."""
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: this one only
        session.proxies = {"http": proxy}
        session.headers["Authorization"] = f"Bearer {key}"
        for step in steps:
            session.request(step.method, url + step.path, json=step.body, timeout=10).close()


_FETCH_ALL = """async ([steps, key]) => {
  for (const step of steps) {
    const init = {method: step.method, headers: {Authorization: `Bearer ${key}`}};
    if (step.body !== null) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(step.body);
    }
    const response = await fetch(step.path, init);
    await response.text();
  }
}"""


def chromium_har(
    browser: Browser, har: Path, url: str, key: str, steps: Sequence[Step], *, content: str
) -> Path:
    """The session sent by Chromium's fetch() from a page of ``url``, recorded by Playwright into
    ``har`` with ``record_har_content`` = ``content`` (embed or attach)."""
    context = browser.new_context(record_har_path=str(har), record_har_content=content)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        page.goto(url + PAGE_PATH)
        page.evaluate(_FETCH_ALL, [[step.as_json() for step in steps], key])
    finally:
        context.close()  # writes the HAR
    assert json.loads(har.read_text("utf-8"))["log"]["entries"]
    return har
