"""``voxkit mock``: the stateful mock of the campaigns API (``vox_client.testing.MockVox``) as a
local server, for tests written in any language."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from types import FrameType
from typing import Any

import click

from vox_client.testing import LIFECYCLE, MockVox
from voxkit.cli._client import printable

LOOPBACK_HOSTS = ("127.0.0.1", "::1")


def _seeds(path: Path) -> list[dict[str, Any]]:
    """The campaigns of a seed file: a JSON array of campaigns (or of fields to change in the
    spec's example of their status), or an object with such an array under ``campaigns``."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise click.BadParameter(
            printable(f"{path}: not a JSON file: {exc}"), param_hint="--seed-file"
        ) from exc
    if isinstance(document, dict) and isinstance(document.get("campaigns"), list):
        document = document["campaigns"]
    if not isinstance(document, list) or not all(isinstance(c, dict) for c in document):
        raise click.BadParameter(
            printable(
                f"{path}: a seed file is a JSON array of campaign objects "
                '(or {"campaigns": [...]})'
            ),
            param_hint="--seed-file",
        )
    return document


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # the same clean stop as Ctrl-C


@click.command("mock")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port on the loopback address (0: any free port).",
)
@click.option(
    "--host",
    type=click.Choice(LOOPBACK_HOSTS),
    default="127.0.0.1",
    show_default=True,
    help="Loopback address to listen on (the mock never listens beyond this machine).",
)
@click.option(
    "--seed-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON array of campaigns to start with (each one checked against the spec).",
)
@click.option(
    "--examples/--no-examples",
    default=None,
    help="Start with the spec's eight example campaigns [default: yes, unless --seed-file].",
)
@click.option(
    "--api-key",
    envvar="VOXMOCK_API_KEY",
    help="The key the mock accepts [default: a random one, printed; env VOXMOCK_API_KEY].",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not log each request to stderr.")
def mock_command(  # noqa: PLR0917 - click passes every option by position
    port: int,
    host: str,
    seed_file: Path | None,
    examples: bool | None,
    api_key: str | None,
    quiet: bool,
) -> None:
    """Serve a stateful mock of the vox.ai v3 campaigns API until Ctrl-C.

    It follows the spec and the business rules: 401 for a wrong key, 404 for an unknown ID, 400
    for a blank name, 409 for a PATCH outside draft/pending/paused, 422 for a body the spec
    refuses, 405 for an undocumented method. Point a client at the printed URL and key.
    """
    seeds = _seeds(seed_file) if seed_file is not None else []
    try:
        mock = MockVox(
            api_key=api_key,
            examples=examples if examples is not None else seed_file is None,
            campaigns=seeds,
        )
    except ValueError as exc:
        raise click.ClickException(printable(str(exc))) from exc

    def ready(url: str) -> None:
        click.echo(f"voxkit mock: the vox.ai v3 campaigns API on {url}")
        click.echo(f"  VOX_BASE_URL={url}")
        click.echo(f"  VOX_API_KEY={mock.api_key}")
        for campaign in mock.campaigns.values():
            # A seed file's text, escaped: it may hold anything.
            click.echo(printable(f"  {campaign['id']}  {campaign['status']}"))
        moves = "; ".join(
            f"{status} -> {'/'.join(nxt)}" for status, nxt in LIFECYCLE.items() if nxt
        )
        click.echo(f"  lifecycle: {moves}")
        click.echo("Press Ctrl-C to stop.")

    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        mock.serve_forever(port, host=host, quiet=quiet, on_ready=ready)
    except KeyboardInterrupt:
        click.echo("voxkit mock: stopped.")
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from exc
    finally:
        signal.signal(signal.SIGTERM, previous)
