"""What recorded bytes must hold for the secret scan (``_secrets``) to find anything in them,
searched in one pass: bytes that hold none of it hold no finding, and are not scanned.

Each screen is weaker than the scan it stands for (a word boundary dropped, a needle for a
pattern), never stronger, so it may send clean bytes the long way but never lets a credential
through; ``tests/validators/sources/test_secret_screen.py`` holds the scan to that.

The search is Hyperscan's (one pass for every needle, about twenty times faster than ``re`` on a
campaign body) where the ``hyperscan`` wheel installs (Linux on x86-64); elsewhere, or when it
cannot run (a CPU without SSSE3), the same patterns in one ``re`` alternation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

# Searched whatever the case (ASCII case, as bytes.lower() folds it): the words a credential's
# name ends with (_SECRET_LAST, _SECRET_PAIRS, _QUERY_ONLY), the needles of the case-blind text
# patterns and of _NAMED, and what the entry screen must not pass (below).
_CASE_BLIND_NEEDLES = (
    b"auth", b"basic", b"bearer", b"cred", b"jwt", b"key", b"pass", b"pwd", b"secret",
    b"session", b"sig", b"token",
)  # fmt: skip
# Searched as written: the key shapes (each at least as weak as its pattern in _SHAPES; the vox
# key after what may decode to a non-word character, so "tryvox.co", the API's own host, is no
# lead).
_EXACT_PATTERNS = (
    rb"-----BEGIN", rb"eyJ", rb"(?:^|[^A-Za-z0-9_]|\\[bfnrt]|\\u[0-9A-Fa-f]{4})vox",
    rb"k_live_", rb"k_test_", rb"sk-", rb"gh[pousr]_", rb"github_pat_", rb"xox", rb"AKIA",
    rb"ASIA", rb"AIza",
)  # fmt: skip
# The letters that str.lower() or a case-blind pattern takes for ASCII ones (İ ı ſ K): looked
# for in bytes that are not ASCII only.
_CASE_FOLDS = tuple(fold.encode() for fold in "\u0130\u0131\u017f\u212a")
# What else a HAR entry's JSON text may hold a finding by, or hide one behind: a cookie (any
# value is one; but the empty lists of every entry, "cookies":[] or "cookies": []), a body that
# is decoded before it is scanned (base64 "encoding", Content-Encoding, Playwright's "_file"),
# an escape of a letter or a blank (\u0041 is a letter; urlsplit drops the tab of \t; \" and \/
# are neither), userinfo (@) and a percent-escape (URLs and forms are decoded). The single bytes
# are found by memchr (an int operand of "in"), faster than by Hyperscan.
_ENTRY_CASE_BLIND = (
    rb'cookie(?:[^s]|s[^"]|s"[^:]|s":[^ \[]|s": [^\[]|s": ?\[[^\]])',
    re.escape(b"encoding"),
)
_ENTRY_EXACT = (rb"_file", rb"\\[bfnrtu]")
_ENTRY_BYTES = (ord("@"), ord("%"))


def _patterns(entry: bool) -> list[tuple[bytes, bool]]:
    """(pattern, case-blind) of one screen."""
    blind = [*map(re.escape, _CASE_BLIND_NEEDLES), *(_ENTRY_CASE_BLIND if entry else ())]
    exact = [*_EXACT_PATTERNS, *(_ENTRY_EXACT if entry else ())]
    return [(pattern, True) for pattern in blind] + [(pattern, False) for pattern in exact]


def _re_search(entry: bool) -> Callable[[bytes], bool]:
    blind = b"|".join(pattern for pattern, case_blind in _patterns(entry) if case_blind)
    exact = b"|".join(pattern for pattern, case_blind in _patterns(entry) if not case_blind)
    # The case-blind needles are plain ASCII words: the scoped flag folds ASCII only (as
    # bytes.lower() does) in a bytes pattern.
    search = re.compile(b"(?i:" + blind + b")|" + exact).search
    return lambda data: search(data) is not None


def _hyperscan_search(entry: bool) -> Callable[[bytes], bool] | None:
    try:
        import hyperscan  # noqa: PLC0415 - only traffic is screened
    except ImportError:
        return None
    patterns = _patterns(entry)
    single = hyperscan.HS_FLAG_SINGLEMATCH
    try:
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(
            expressions=[pattern for pattern, _ in patterns],
            ids=list(range(len(patterns))),
            flags=[single | (hyperscan.HS_FLAG_CASELESS if blind else 0) for _, blind in patterns],
        )
    except hyperscan.error:  # (a CPU it does not run on)
        return None
    fallback = _re_search(entry)
    terminated, scan = hyperscan.ScanTerminated, database.scan

    def stop(*_: object) -> bool:
        return True  # the first match ends the scan

    def search(data: bytes) -> bool:
        try:
            scan(data, match_event_handler=stop)
        except terminated:
            return True
        except hyperscan.error:  # its scratch in use by another thread: the slow way
            return fallback(data)
        return False

    return search


@cache
def _search(entry: bool) -> Callable[[bytes], bool]:
    return _hyperscan_search(entry) or _re_search(entry)


def _folds(raw: bytes) -> bool:
    return not raw.isascii() and any(fold in raw for fold in _CASE_FOLDS)


def body_may_hold(raw: bytes) -> bool:
    """Whether a body (as the scan reads it) may hold a finding: False when it cannot."""
    return _folds(raw) or _search(False)(raw)


def har_entry_may_hold(raw: bytes) -> bool:
    """Whether the JSON text of one HAR entry may hold a finding of ``har_secrets``, whose
    ``response_body`` is then the entry's own ``content.text``: False when it cannot."""
    return any(byte in raw for byte in _ENTRY_BYTES) or _folds(raw) or _search(True)(raw)
