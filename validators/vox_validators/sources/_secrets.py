"""Credentials in recorded traffic: the ``secret`` findings of one cassette interaction or HAR entry.

Recorded traffic is committed and shared, so a credential left in it is reported (rule
``secret``, an error) and never printed: a finding says where the value is, masks it (only an
``Authorization`` scheme such as ``Bearer`` is shown, then ``****(40 chars)``) and says how to
filter it when recording.

What counts, in a request or a response:

- the ``Authorization`` and ``Proxy-Authorization`` headers, whatever the scheme;
- a header named like a key or token (``X-API-Key``, ``Api-Key``, ``X-Auth-Token``,
  ``X-Goog-Api-Key``, ``X-Amz-Security-Token``...; not ``X-CSRF-Token`` nor ``Idempotency-Key``);
- ``Cookie`` and ``Set-Cookie``: a recorder cannot tell a session cookie from another, and a
  session cookie is as good as a key;
- in a URL (the request's, ``Location``, ``Content-Location``, ``Referer``, HAR ``redirectURL``):
  userinfo (``https://user:pass@host``), and a query or fragment parameter named like a key
  (``api_key``, ``key``, ``token``, ``access_token``, ``auth``, ``password``, ``signature``...);
  HAR's ``queryString`` list is checked too (the same value then has two findings, one per place
  it must be removed from);
- in a body: a JSON field or form parameter named like a key (``api_key``, ``token``,
  ``password``, ``secret``, ``client_secret``, ``authorization``...; not ``page_token``), and in
  any text ``Bearer``/``Basic`` credentials and strings shaped like a known key (vox keys
  ``vox..._<hex>``, ``sk_live_``, ``sk-``, GitHub, Slack, AWS, Google keys, JWTs, private keys);
- any other header value or string holding such a bearer token or key shape.

A value a recorder already filtered is not a finding: empty, ``DUMMY``, ``<REDACTED>``,
``[FILTERED]``, ``***``, ``xxxx``, an all-capitals name (``YOUR_API_KEY``), ``<token>`` or
``{{api_key}}``; nor is a bare ``Bearer``.

Bounded whatever the input: at most ``MAX_PER_TEXT`` findings per text and ``MAX_FINDINGS`` per
interaction (the last then says more were not listed), bodies over ``max_body_bytes`` are not
scanned, and every pattern runs in linear time (no nested or unbounded lazy repetition).

Fast on clean traffic (tens of microseconds an interaction), with the same findings as the
long way: a HAR entry whose JSON text holds nothing a finding needs is not walked at all, and a
body whose bytes hold none of the strings a pattern needs is not read further (both screens in
one pass: ``_secret_screen``); a text is searched only when it holds one of them, a body is
parsed and walked only when its bytes could hold a finding, what a name is is decided once per
name, a header name and value found clean once are not read again, and a plain URL's host (which
is never searched: ``vox`` of ``tryvox.co``) does not send it to ``urlsplit``.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from vox_validators._findings import Finding
from vox_validators.jsonpointer import escape
from vox_validators.sources._record import MAX_RECORD_BYTES
from vox_validators.sources._secret_screen import body_may_hold

__all__ = ["cassette_secrets", "har_secrets", "is_placeholder", "mask"]

RULE = "secret"

#: At most this many findings for one text (a header value, a URL, a body), and for one
#: interaction or entry: a body full of keys is one problem to fix, not a million report lines.
MAX_PER_TEXT = 10
MAX_FINDINGS = 100

# ----------------------------------------------------------------------------- what a name is

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# The last word (or two) of a name, once it is lower snake case, that make it a credential's.
_SECRET_LAST = frozenset(
    {
        "apikey",
        "authorization",
        "authentication",
        "bearer",
        "credential",
        "credentials",
        "jwt",
        "passphrase",
        "passwd",
        "password",
        "pwd",
        "secret",
        "token",
    }
)
_SECRET_PAIRS = frozenset(
    {"api_key", "access_key", "secret_key", "private_key", "signing_key", "session_id"}
)
# Tokens that are not credentials: pagination cursors and anti-forgery nonces.
_NOT_SECRET_BEFORE_TOKEN = frozenset(
    {"page", "next", "prev", "previous", "csrf", "xsrf", "sync", "continuation", "cursor", "max"}
)
# Names that are credentials in a URL or a form only: a "key" field of a JSON body is most often
# a plain map key, and signature headers (webhooks) are not credentials.
_QUERY_ONLY = frozenset({"key", "auth", "sig", "signature"})


def _words(name: str) -> list[str]:
    snake = _CAMEL.sub("_", name).lower().replace("-", "_").replace(".", "_")
    return [word for word in snake.split("_") if word]


# Names repeat (every interaction has the same headers, every record the same fields): decided
# once each, in bounded memos (emptied when full). Long names are not kept.
_CACHED_NAME = 128
_MEMO_SIZE = 4096
_SECRET_NAMES: tuple[dict[str, bool], dict[str, bool]] = ({}, {})  # as a field, as a parameter


def _is_secret_name(name: str, *, query: bool = False) -> bool:
    """Whether a header, parameter or field of this name holds a credential."""
    known = _SECRET_NAMES[query]
    answer = known.get(name)
    if answer is None:
        answer = _secret_name(name, query)
        if len(name) <= _CACHED_NAME:
            if len(known) >= _MEMO_SIZE:
                known.clear()
            known[name] = answer
    return answer


def _secret_name(name: str, query: bool) -> bool:
    words = _words(name)
    if words and words[0] == "x":  # X-API-Key is Api-Key
        words = words[1:]
    if not words:
        return False
    joined = "_".join(words)
    if query and (joined in _QUERY_ONLY or words[-1] in ("signature", "sig")):
        return True
    last = words[-1]
    if last == "token" and len(words) > 1 and words[-2] in _NOT_SECRET_BEFORE_TOKEN:
        return False
    return last in _SECRET_LAST or "_".join(words[-2:]) in _SECRET_PAIRS


# ----------------------------------------------------------------------------- what a value is

_ALL_CAPS_NAME = re.compile(r"[A-Z][A-Z_]{0,47}")
_OUR_MASK = re.compile(r"\*+(?:\(\d+ chars?\))?")
_MASK_WORDS = frozenset(
    {
        "dummy",
        "filtered",
        "hidden",
        "masked",
        "none",
        "null",
        "omitted",
        "placeholder",
        "redacted",
        "removed",
        "sanitized",
        "scrubbed",
        "undefined",
        # not masks, but not credentials either ("secret: true" in a log line)
        "false",
        "required",
        "true",
    }
)
_MASK_CHARACTERS = "*xX•·.-_# "


def is_placeholder(value: str) -> bool:
    """Whether ``value`` is what a recorder wrote instead of a credential (empty, DUMMY...)."""
    core = value.strip().strip("\"'").strip()
    # not core.strip(...): every character of it is one of them
    if not core or _OUR_MASK.fullmatch(core) or not core.strip(_MASK_CHARACTERS):
        return True
    # <REDACTED>, <token>, [FILTERED], {{api_key}}, ${VOX_API_KEY}, %API_KEY%
    if (core[0], core[-1]) in (("<", ">"), ("[", "]"), ("{", "}"), ("%", "%")) or (
        core.startswith("${") and core.endswith("}")
    ):
        return True
    if _ALL_CAPS_NAME.fullmatch(core):  # DUMMY, FILTERED, YOUR_API_KEY: no digit, no case mix
        return True
    return core.lower() in _MASK_WORDS


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9._~+-]{0,23})[ \t]+(\S.*)?", re.DOTALL)


def _split_scheme(value: str) -> tuple[str, str]:
    """``("Bearer", "abc")`` for ``"Bearer abc"``; ``("", value)`` when there is no scheme."""
    stripped = value.strip()
    if stripped.lower() in _SCHEMES:  # a bare "Bearer": nothing left to hide
        return stripped, ""
    match = _SCHEME.fullmatch(stripped)
    if match is None:
        return "", stripped
    return match.group(1), (match.group(2) or "").strip()


def mask(credential: str, scheme: str = "") -> str:
    """The masked form of a credential: its length only, after its scheme (``Bearer ****(40
    chars)``)."""
    count = len(credential)
    stars = f"****({count} char{'' if count == 1 else 's'})"
    return f"{scheme} {stars}" if scheme else stars


# ----------------------------------------------------------------------------- text patterns


def _trie(words: list[str]) -> str:
    """One alternation of ``words`` by their common starts (tried faster than a list)."""
    branches: dict[str, list[str]] = {}
    for word in words:
        branches.setdefault(word[:1], []).append(word[1:])
    parts = []
    for first, rests in sorted(branches.items()):
        ends = "" in rests  # a word ends here: any longer one is found with it
        rest = "" if ends else _trie(rests)
        parts.append(re.escape(first) + (f"(?:{rest})" if rest else ""))
    return "|".join(parts)


@dataclass(frozen=True, slots=True)
class _Shape:
    label: str
    pattern: re.Pattern[str]
    # Strings one of which a match holds: a text without any is not searched (a substring test
    # is much faster than a regular expression that finds nothing). As the pattern has them,
    # searched in the text as it is; lower-case, in the lower-cased text, for a case-blind
    # pattern (so that "Asia/Seoul" is no lead for an AWS key, which starts with "ASIA").
    needles: tuple[str, ...]
    case_blind: bool = False


_BEARER = _Shape(
    "a Bearer or Basic credential",
    re.compile(r"\b(Bearer|Basic)[ \t]+([A-Za-z0-9._~+/=-]{8,})", re.IGNORECASE),
    ("bearer", "basic"),
    case_blind=True,
)
_SHAPES = (
    _BEARER,
    _Shape(
        "a private key",
        # bounded: a hostile text of BEGIN lines without an END must stay linear
        re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[A-Za-z0-9+/=\s]{0,16384}"),
        ("-----BEGIN",),
    ),
    _Shape(
        "a JWT",
        re.compile(r"\beyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}"),
        ("eyJ",),
    ),
    _Shape(
        "a vox-style API key",
        re.compile(r"\bvox[a-z]*_[A-Za-z0-9_]*[0-9][A-Za-z0-9_]*"),
        ("vox",),
    ),
    _Shape(
        "a Stripe-style secret key",
        re.compile(r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}"),
        ("k_live_", "k_test_"),
    ),
    _Shape("an sk- API key", re.compile(r"\bsk-[A-Za-z0-9_-]{20,}"), ("sk-",)),
    _Shape(
        "a GitHub token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,})"),
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    _Shape("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), ("xox",)),
    _Shape("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), ("AKIA", "ASIA")),
    _Shape("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}"), ("AIza",)),
)
# name=value or name: value outside JSON (form-like text, YAML, logs). No prefix group before
# the name ("client_" of client_secret): a repeated group there backtracks quadratically on a
# hostile "a_a_a_..." body.
_NAMED = re.compile(
    r"(?i)(api[_-]?key|access[_-]?token|auth[_-]?token|secret|password|passwd)"
    r"[\"']?[ \t]*[=:][ \t]*[\"']?([^\s\"'&,;<>]{4,})"
)
_NAMED_NEEDLES = ("key", "token", "secret", "passw")
# What a body must hold for a credential to be in it, shapes or names (the names of
# _is_secret_name included): most bodies hold none and are not parsed again.
# The shapes' needles: lower-case ones searched in the lower-cased text, the others as it is.
_CASE_BLIND_NEEDLES = tuple(n for shape in _SHAPES if shape.case_blind for n in shape.needles)
_EXACT_NEEDLES = tuple(n for shape in _SHAPES if not shape.case_blind for n in shape.needles)
_BODY_NEEDLES = tuple(
    needle.encode()
    for needle in (
        *_CASE_BLIND_NEEDLES,
        *_NAMED_NEEDLES,
        *("pass", "pwd", "auth", "cred", "jwt", "bearer", "sig", "session"),
    )
)
_BODY_EXACT_NEEDLES = tuple(needle.encode() for needle in _EXACT_NEEDLES)
_VOX_KEY_MIN = 20  # vox..._ with a digit but shorter is a word, not a key

# Every needle of a text pattern in one search of the lower-cased text: a text without any
# cannot match (the loop of substring tests per pattern then runs only on the rare rest).
_TEXT_NEEDLES = sorted({*_CASE_BLIND_NEEDLES, *_NAMED_NEEDLES})
_ANY_TEXT_NEEDLE = re.compile(_trie(_TEXT_NEEDLES))
_ANY_EXACT_NEEDLE = re.compile(_trie(sorted(set(_EXACT_NEEDLES))))
# A short body is screened in one search (_secret_screen); a long one is searched for each needle,
# faster than one search on most hostile input when Hyperscan is missing.
_SHORT_BODY = 1 << 12
# Strings of JSON bodies and URL paths repeat; short ones are remembered. Clean headers too.
_CACHED_TEXT = 256
_MAY_HOLD: dict[str, bool] = {}
_CLEAN_HEADERS: set[tuple[str, str]] = set()
# Over a long text the one search is slower than the substring tests it stands for.
_SEARCHED_TEXT = 1 << 14


def _holds_needle(text: str) -> bool:
    """Whether ``text`` may hold a needle of a text pattern (False: no credential in it)."""
    return (
        len(text) > _SEARCHED_TEXT
        or _ANY_TEXT_NEEDLE.search(text.lower()) is not None
        or _ANY_EXACT_NEEDLE.search(text) is not None
    )


def _may_hold(text: str) -> bool:
    """_holds_needle, remembered for a short text."""
    if len(text) > _CACHED_TEXT:
        return _holds_needle(text)
    known = _MAY_HOLD.get(text)
    if known is None:
        known = _holds_needle(text)
        if len(_MAY_HOLD) >= _MEMO_SIZE:
            _MAY_HOLD.clear()
        _MAY_HOLD[text] = known
    return known


# What the bytes of a body hold wherever a finding can come from (see _quiet): searched instead
# of the body's needles and a parse. Each hint is weaker than what it stands for (a \b dropped,
# or the same pattern started at a rarer byte, what came before it then looked behind for) and
# linear (no repetition can start again inside another one).
#
# A name of _is_secret_name ends with one of its words, then only "_", "-" or "."; a JSON name
# is followed by a quote and ":" (a name in a text by "=" or ":"). Searched from that sign
# backwards (a rare byte, so few places are tried), in the lower-cased bytes reversed.
_NAME_WORDS = _trie(sorted(word[::-1] for word in _SECRET_LAST)).encode()
_NAME_PAIRS = b"|".join(
    re.escape(last[::-1].encode()) + rb"[_.\-]*" + re.escape(first[::-1].encode())
    for first, _, last in sorted(pair.rpartition("_") for pair in _SECRET_PAIRS)
)
_NAME_HINTS = tuple(  # one per sign: a literal start is found faster than a class
    re.compile(sign + rb"[ \t\n\r]*[\"']?[_.\-]*(?:%s|%s)" % (_NAME_WORDS, _NAME_PAIRS))
    for sign in (b":", b"=")
)
# A Bearer or Basic credential, in the lower-cased bytes.
_BEARER_HINT = re.compile(rb"b(?:earer|asic)[ \t]+[a-z0-9._~+/=-]{8}")
# The other text patterns, in the bytes, each after a byte (an int: found fast) or a literal
# that it holds and that few bodies hold.
_SHAPE_HINTS: tuple[tuple[int | bytes, re.Pattern[bytes]], ...] = tuple(
    (screen, re.compile(pattern))
    for screen, pattern in (
        (b"-----BEGIN ", rb"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
        (ord("J"), rb"J(?<=eyJ)[A-Za-z0-9_-]{6}"),
        (
            ord("x"),
            rb"x(?:(?<=vox)(?<![A-Za-z0-9_]vox)[a-z]*_[A-Za-z0-9_]*[0-9]"
            rb"|(?<=xox)[abposr]-[A-Za-z0-9-]{10})",
        ),
        (ord("k"), rb"k(?:_live_[A-Za-z0-9]{10}|_test_[A-Za-z0-9]{10}|(?<=sk)-[A-Za-z0-9_-]{20})"),
        (b"gh", rb"gh[pousr]_[A-Za-z0-9]{30}"),
        (b"github_pat_", rb"github_pat_"),
        (
            ord("I"),
            rb"I(?:(?<=AKI)A[0-9A-Z]{16}|(?<=ASI)A[0-9A-Z]{16}|(?<=AI)za[0-9A-Za-z_-]{35})",
        ),
    )
)


def _shaped(raw: bytes) -> bool:
    for screen, pattern in _SHAPE_HINTS:
        # an int operand of "in" is a memchr; bytes.find, as a bytes operand of "in" is first
        # tried as an int (slow)
        held = screen in raw if isinstance(screen, int) else raw.find(screen) != -1
        if held and pattern.search(raw):
            return True
    return False


# The letters that a case-blind pattern or str.lower() takes for ASCII ones (K, s, i, I): the
# bytes of a body with one of them prove nothing. Their first bytes (ints) are searched first.
_CASE_FOLDS = tuple(fold.encode() for fold in "\u0130\u0131\u017f\u212a")
_FOLD_LEADS = tuple(sorted({fold[0] for fold in _CASE_FOLDS}))
_BACKSLASH = ord("\\")
_QUICK_BODY = 1 << 20  # larger bodies (rare) go the long way, as before


def _quiet(raw: bytes, lowered: bytes) -> bool:
    """Whether a body (JSON or text, not a form) holds no finding, from its bytes alone.

    A JSON string or name without escapes is a piece of the body between quotes (no word
    characters, like the ends of a string), so what matches in it matches in the body. A JSON
    body with escapes is written again by orjson (which escapes only quotes, backslashes and
    control characters); one that still has a backslash is read the long way.
    """
    if len(raw) > _QUICK_BODY:
        return False
    if _BACKSLASH in raw:
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # read as text: its bytes are what is searched
        else:
            try:
                raw = orjson.dumps(document)
            except orjson.JSONEncodeError:  # deeper than orjson writes
                return False
            if _BACKSLASH in raw:
                return False
            lowered = raw.lower()
    if (
        not raw.isascii()
        and any(lead in raw for lead in _FOLD_LEADS)
        and any(raw.find(fold) != -1 for fold in _CASE_FOLDS)
    ):
        return False
    backwards = lowered[::-1]
    return not (
        any(hint.search(backwards) for hint in _NAME_HINTS)
        or _BEARER_HINT.search(lowered)
        or _shaped(raw)
    )


def _credible(shape: _Shape, match: re.Match[str]) -> str | None:
    """The credential a match found (None when it is a placeholder or an ordinary word)."""
    if shape is _BEARER:
        token = match.group(2)
        # "Bearer authentication" is prose; a token has a digit or punctuation in it.
        if token.isalpha() or is_placeholder(token):
            return None
        return token
    value = match.group(0)
    if shape.label.startswith("a vox") and len(value) < _VOX_KEY_MIN:
        return None
    return value


def _text_credentials(text: str) -> list[tuple[str, str, str]]:
    """(what it is, scheme, credential) for each credential in free text, left to right."""
    if not _may_hold(text):
        return []
    lowered = text.lower()
    found: list[tuple[int, int, str, str, str]] = []
    # The first few of each kind are enough for the first MAX_PER_TEXT of all, in order.
    enough = 4 * MAX_PER_TEXT
    for shape in _SHAPES:
        searched = lowered if shape.case_blind else text
        if not any(needle in searched for needle in shape.needles):
            continue
        for match in itertools.islice(shape.pattern.finditer(text), enough):
            credential = _credible(shape, match)
            if credential is None:
                continue
            scheme = match.group(1).capitalize() if shape is _BEARER else ""
            found.append((match.start(), match.end(), shape.label, scheme, credential))
    if any(needle in lowered for needle in _NAMED_NEEDLES):
        for match in itertools.islice(_NAMED.finditer(text), enough):
            value = match.group(2)
            if not is_placeholder(value):
                label = f"a {_label(match.group(1))} value"
                found.append((match.start(2), match.end(), label, "", value))
    # One finding per place: "Bearer voxmock_..." is one credential, not two.
    end = -1
    credentials = []
    for start, stop, label, scheme, credential in sorted(found, key=lambda f: (f[0], -f[1])):
        if start >= end:
            end = stop
            credentials.append((label, scheme, credential))
    return credentials


# ----------------------------------------------------------------------------- reporting


_PLAIN_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+./^_`|~-]{1,80}")


def _label(name: object) -> str:
    """A name from the file as a message shows it: as written when it is a plain token, else
    escaped (a header name with an escape sequence must not reach a terminal)."""
    text = str(name)
    if _PLAIN_NAME.fullmatch(text):
        return text
    shown = ascii(text[:80])
    return shown if len(text) <= 80 else shown[:-1] + "...'"


def _pointer(tokens: tuple[str | int, ...]) -> str:
    return "".join(["/" + escape(token) for token in tokens])


_PathT = tuple[str | int, ...]
_SCHEMES = frozenset({"bearer", "basic", "token", "digest", "apikey", "key"})


@dataclass(slots=True)
class _Scan:
    """The findings of one interaction or entry. Every message reads "<the value, masked> in
    <where it is>; <how to filter it>"."""

    har: bool
    findings: list[Finding]

    @property
    def full(self) -> bool:
        return len(self.findings) >= MAX_FINDINGS

    def add(self, path: _PathT, masked: str, where: str, fix: str) -> None:
        if self.full:
            return
        if len(self.findings) == MAX_FINDINGS - 1:
            masked, where = "more credentials", f"{where} (only {MAX_FINDINGS} are listed)"
        how = (
            "remove or mask it in the HAR file before it is shared (HAR recorders keep it)"
            if self.har
            else f"filter it when recording: {fix}"
        )
        message = f"{masked} in {where}; {how}"
        self.findings.append(Finding(RULE, "error", _pointer(path), message))

    def text(self, path: _PathT, text: str, where: str, fix: str) -> None:
        """Bearer tokens and key shapes in free text."""
        for count, (what, scheme, credential) in enumerate(_text_credentials(text)):
            if count == MAX_PER_TEXT:
                self.add(path, "more credentials", f"{where} (only {count} are listed)", fix)
                return
            self.add(path, f"{mask(credential, scheme)} ({what})", where, fix)
            if self.full:
                return

    def named(self, path: _PathT, shown: str, value: str, where: str, fix: str) -> None:
        """A value whose name says it is a credential (header, parameter, field), shown as
        ``<shown>****(n chars)``: ``shown`` is the name and its separator."""
        scheme, credential = _split_scheme(value)
        if scheme.lower() not in _SCHEMES:
            scheme, credential = "", value.strip()
        if not is_placeholder(credential):
            self.add(path, shown + mask(credential, scheme), where, fix)

    def url(self, path: _PathT, url: str, where: str, side: str) -> None:
        # No userinfo, query nor fragment, and a path without a needle: nothing to split. The
        # path is a piece of what follows a plain authority (see _AUTHORITY), else of the URL
        # (urlsplit removes only tabs and newlines, and outer blanks). A needle in a piece is in
        # the text, so the text without one proves the path clean; the host is never searched
        # (urlsplit would not), so "vox" of the API's own host no longer sends every URL there.
        if not _URL_PARTS.search(url):
            authority = _AUTHORITY.match(url)
            if not _may_hold(url if authority is None else url[authority.end() :]):
                return
        fix = f"vcrpy before_record_{side}"
        try:
            parts = urlsplit(url.strip())
        except ValueError:  # http://[::1 and the like: still text
            self.text(path, url, where, fix)
            return
        userinfo = parts.netloc.rpartition("@")[0]
        user, colon, password = userinfo.partition(":")
        if userinfo and not is_placeholder(password if colon else user):
            masked = f"{mask(user)}:{mask(password)}" if colon else mask(user)
            self.add(path, masked, f"the userinfo of {where}", fix)
        first = len(self.findings)
        for part, piece in ((parts.query, "query"), (parts.fragment, "fragment")):
            if not part:
                continue
            for name, value in parse_qsl(part, keep_blank_values=True):
                if len(self.findings) - first >= MAX_PER_TEXT or self.full:
                    self.add(path, "more credentials", f"{where} (only some are listed)", fix)
                    return
                if _is_secret_name(name, query=True):
                    fixed = f'vcrpy filter_query_parameters=["{_label(name)}"]'
                    fixed = fixed if side == "request" and piece == "query" else fix
                    self.named(path, f"{_label(name)}=", value, f"the {piece} of {where}", fixed)
                elif value and _may_hold(value):
                    self.text(path, value, f"the {piece} of {where}", fix)
        if _may_hold(parts.path):
            self.text(path, parts.path, f"the path of {where}", fix)

    def header(self, path: _PathT, name: str, value: str, side: str) -> None:
        """One header value; a name and value found clean once are not looked at again."""
        key = (name, value)
        if key in _CLEAN_HEADERS:
            return
        before = len(self.findings)
        if before >= MAX_FINDINGS:
            return
        self._header(path, name, value, side)
        # Whether a header has a finding depends on its name and value only (the side and the
        # format change the message), so one seen clean is clean everywhere.
        if len(self.findings) == before and len(name) + len(value) <= _CACHED_TEXT:
            if len(_CLEAN_HEADERS) >= _MEMO_SIZE:
                _CLEAN_HEADERS.clear()
            _CLEAN_HEADERS.add(key)

    def _header(self, path: _PathT, name: str, value: str, side: str) -> None:
        kind, lowered = _header_kind(name)
        if kind == _OTHER:  # most headers: their value is searched only if it could match
            if _holds_needle(value):  # (not remembered: a clean header is, with its name)
                fix = _header_fix(lowered, side)
                self.text(path, value, f"the {_label(name)} header of the {side}", fix)
            return
        where = f"the {side} headers"
        if kind == _AUTHORIZATION:
            scheme, credential = _split_scheme(value)
            if not is_placeholder(credential):
                fix = _header_fix(lowered, side)
                self.add(path, f"{_label(name)}: {mask(credential, scheme)}", where, fix)
        elif kind == _COOKIE:
            if _cookie_has_value(value, response=lowered != "cookie"):
                fix = _header_fix(lowered, side)
                self.add(path, f"{_label(name)}: {mask(value.strip())}", where, fix)
        elif kind == _SECRET:
            self.named(path, f"{_label(name)}: ", value, where, _header_fix(lowered, side))
        else:
            self.url(path, value, f"the {_label(name)} header of the {side}", side)

    def body(
        self,
        path: _PathT,
        raw: bytes,
        content_type: str | Callable[[], str],
        side: str,
        limit: int,
    ) -> None:
        """``content_type`` is the body's, or what finds it (only a body read needs it)."""
        if not raw or len(raw) > limit:
            return
        if len(raw) <= _SHORT_BODY and not body_may_hold(raw):
            return  # the needles test below, faster
        lowered = raw.lower()
        content_type = content_type if isinstance(content_type, str) else content_type()
        form = "x-www-form-urlencoded" in content_type.lower()
        if not form and _quiet(raw, lowered):
            return  # most bodies: nothing in them, no need to parse them again
        if not any(needle in lowered for needle in _BODY_NEEDLES) and not any(
            raw.find(needle) != -1 for needle in _BODY_EXACT_NEEDLES
        ):
            return
        fix = _body_fix(side)
        where = f"the {side} body"
        text = raw.decode("utf-8", "replace")
        if form:
            self.form(path, parse_qsl(text, keep_blank_values=True), where, fix)
            return
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError:
            self.text(path, text, where, fix)
            return
        self.json(path, document, where, fix)

    def form(self, path: _PathT, pairs: list[tuple[str, str]], where: str, fix: str) -> None:
        for name, value in pairs:
            if self.full:
                return
            if _is_secret_name(name, query=True):
                self.named(path, f"{_label(name)}=", value, f"{where} (a form parameter)", fix)
            elif value:
                self.text(path, value, where, fix)

    def json(self, path: _PathT, document: object, where: str, fix: str) -> None:
        stack: list[tuple[tuple[str | int, ...], object, bool]] = [((), document, False)]
        while stack and not self.full:
            inner, value, named = stack.pop()
            if isinstance(value, str):
                if named:
                    field = f"{where} (JSON field {_label(_pointer(inner) or '/')})"
                    self.named(path, f"{_label(inner[-1])}: ", value, field, fix)
                elif _may_hold(value):
                    field = f"{where} (JSON field {_label(_pointer(inner) or '/')})"
                    self.text(path, value, field, fix)
            elif isinstance(value, dict):
                for key, item in reversed(value.items()):
                    stack.append(((*inner, key), item, _is_secret_name(key)))
            elif isinstance(value, list):
                for index in range(len(value) - 1, -1, -1):
                    stack.append(((*inner, index), value[index], named))


_OTHER, _AUTHORIZATION, _COOKIE, _SECRET, _URL = range(5)
_URL_PARTS = re.compile(r"[@?#\t\r\n]")
# The scheme and authority of a URL without _URL_PARTS, where urlsplit finds them: it starts with
# a letter (nothing to strip before it), its scheme has no ":" (urlsplit splits at the first),
# its authority is ASCII without brackets (urlsplit raises only for brackets and some non-ASCII
# ones), and the path starts right after it. The path is then what follows, right blanks aside.
_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9!$&'()*+,;=:%._~-]*(?=/|\Z)")


_HEADER_KINDS: dict[str, tuple[int, str]] = {}


def _header_kind(name: str) -> tuple[int, str]:
    """What a header of this name holds (one of _OTHER..._URL), and its lower-cased name."""
    kind = _HEADER_KINDS.get(name)
    if kind is None:
        kind = _kind_of_header(name)
        if len(name) <= _CACHED_NAME:
            if len(_HEADER_KINDS) >= _MEMO_SIZE:
                _HEADER_KINDS.clear()
            _HEADER_KINDS[name] = kind
    return kind


def _kind_of_header(name: str) -> tuple[int, str]:
    lowered = name.strip().lower()
    if lowered in ("authorization", "proxy-authorization"):
        return _AUTHORIZATION, lowered
    if lowered in ("cookie", "set-cookie", "set-cookie2"):
        return _COOKIE, lowered
    if _is_secret_name(lowered):
        return _SECRET, lowered
    if lowered in ("location", "content-location", "referer"):
        return _URL, lowered
    return _OTHER, lowered


def _cookie_has_value(value: str, *, response: bool) -> bool:
    """Whether a Cookie (``a=1; b=2``) or Set-Cookie (``a=1; Path=/``) header carries a value."""
    pairs = value.split(";")[:1] if response else value.split(";")
    for pair in pairs:
        name, equals, cookie = pair.partition("=")
        if not is_placeholder(cookie if equals else name):
            return True
    return False


def _header_fix(lowered: str, side: str) -> str:
    if side == "response":
        return "vcrpy before_record_response (filter_headers covers request headers only)"
    listed = f'["{_label(lowered)}"]'
    return f"vcrpy filter_headers={listed} (pytest-recording: in the vcr_config fixture)"


def _body_fix(side: str) -> str:
    if side == "request":
        return "vcrpy filter_post_data_parameters or before_record_request"
    return "vcrpy before_record_response"


# ----------------------------------------------------------------------------- the two formats


def _as_bytes(value: object) -> bytes | None:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return None


def _cassette_header(headers: object, name: str) -> str:
    if isinstance(headers, dict | Mapping):
        for key, value in headers.items():
            # lower() keeps a string's length unless it holds U+0130 (lowered to "i" and U+0307,
            # in no header name looked for): a name of another length is not the one
            if isinstance(key, str) and len(key) == len(name) and key.lower() == name:
                values = value if isinstance(value, list) else [value]
                return ",".join(str(item) for item in values)
    return ""


def _cassette_headers(scan: _Scan, side: str, headers: object) -> None:
    if not isinstance(headers, dict | Mapping):
        return
    findings = scan.findings
    for name, values in headers.items():
        if len(findings) >= MAX_FINDINGS:
            break
        if not isinstance(name, str):
            continue
        if type(values) is list and len(values) == 1:  # as vcrpy writes them
            value = values[0]
            if isinstance(value, str) and (name, value) not in _CLEAN_HEADERS:
                scan.header((side, "headers", name, 0), name, value, side)
        elif isinstance(values, list | tuple):
            for index, value in enumerate(values):
                if isinstance(value, str) and (name, value) not in _CLEAN_HEADERS:
                    scan.header((side, "headers", name, index), name, value, side)
        elif isinstance(values, str):
            scan.header((side, "headers", name), name, values, side)


def cassette_secrets(
    interaction: object,
    *,
    response_body: bytes | None = None,
    max_body_bytes: int = MAX_RECORD_BYTES,
) -> tuple[Finding, ...]:
    """The ``secret`` findings of one vcrpy cassette interaction (as loaded from the YAML).

    ``response_body`` is the response body once decoded (Content-Encoding undone), when the
    caller has it; otherwise the body as recorded is read as text. A body larger than
    ``max_body_bytes`` is not scanned. Paths point into the interaction
    (``/request/headers/Authorization/0``). Never raises.
    """
    scan = _Scan(har=False, findings=[])
    if not isinstance(interaction, Mapping):
        return ()
    request = interaction.get("request")
    if isinstance(request, Mapping):
        headers = request.get("headers")
        _cassette_headers(scan, "request", headers)
        uri = request.get("uri")
        if isinstance(uri, str):
            scan.url(("request", "uri"), uri, "the request URL", "request")
        body = request.get("body")
        path: _PathT = ("request", "body")
        if isinstance(body, Mapping):
            body, path = body.get("string"), ("request", "body", "string")
        raw = _as_bytes(body)
        if raw is not None:
            content_type = functools.partial(_cassette_header, headers, "content-type")
            scan.body(path, raw, content_type, "request", max_body_bytes)
    response = interaction.get("response")
    if isinstance(response, Mapping):
        headers = response.get("headers")
        _cassette_headers(scan, "response", headers)
        body = response.get("body")
        path = ("response", "body")
        if isinstance(body, Mapping):
            body, path = body.get("string"), ("response", "body", "string")
        elif "content" in response:  # httpx cassettes of older vcrpy versions
            body, path = response.get("content"), ("response", "content")
        raw = response_body if response_body is not None else _as_bytes(body)
        if raw is not None:
            content_type = functools.partial(_cassette_header, headers, "content-type")
            scan.body(path, raw, content_type, "response", max_body_bytes)
    return tuple(scan.findings)


def _har_pairs(value: object) -> Iterator[tuple[int, str, str]]:
    """(index, name, value) of a HAR name/value list (headers, cookies, queryString, params)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict | Mapping):  # a dict first: the Mapping test is slow
                name, text = item.get("name"), item.get("value")
                if isinstance(name, str) and isinstance(text, str):
                    yield index, name, text


def _har_side(scan: _Scan, side: str, part: Mapping[str, Any]) -> str:
    """Scan the headers and cookies of one side of an entry; its Content-Type."""
    content_type = ""
    findings = scan.findings
    for index, name, value in _har_pairs(part.get("headers")):
        if len(findings) >= MAX_FINDINGS:
            break
        # (lower() keeps the length of "content-type": see _cassette_header)
        if len(name) == 12 and name.lower() == "content-type":
            content_type = value
        if not name.startswith(":"):  # HTTP/2 pseudo-headers: :authority, :path...
            if (name, value) not in _CLEAN_HEADERS:
                scan.header((side, "headers", index, "value"), name, value, side)
        elif name == ":path":
            scan.url((side, "headers", index, "value"), value, f"the {side} :path", side)
    for index, name, value in _har_pairs(part.get("cookies")):
        if scan.full:
            break
        if not is_placeholder(value):
            shown = f"{_label(name)}={mask(value)}"
            scan.add((side, "cookies", index, "value"), shown, f"the {side} cookies", "")
    return content_type


def har_secrets(
    entry: object,
    *,
    response_body: bytes | None = None,
    max_body_bytes: int = MAX_RECORD_BYTES,
) -> tuple[Finding, ...]:
    """The ``secret`` findings of one HAR entry (an item of ``log.entries``).

    ``response_body`` is the response body once decoded (base64 undone), when the caller has
    it; otherwise ``content.text`` is read as text. A body larger than ``max_body_bytes`` is not
    scanned. Paths point into the entry (``/request/headers/3/value``). Never raises.
    """
    scan = _Scan(har=True, findings=[])
    if not isinstance(entry, Mapping):
        return ()
    request = entry.get("request")
    if isinstance(request, Mapping):
        content_type = _har_side(scan, "request", request)
        url = request.get("url")
        if isinstance(url, str):
            scan.url(("request", "url"), url, "the request URL", "request")
        for index, name, value in _har_pairs(request.get("queryString")):
            if scan.full:
                break
            if _is_secret_name(name, query=True):
                where = "the request queryString"
                scan.named(
                    ("request", "queryString", index, "value"), f"{_label(name)}=", value, where, ""
                )
        post = request.get("postData")
        if isinstance(post, Mapping):
            mime = post.get("mimeType")
            content_type = mime if isinstance(mime, str) and mime else content_type
            text = _as_bytes(post.get("text"))
            if text is not None:
                path = ("request", "postData", "text")
                scan.body(path, text, content_type, "request", max_body_bytes)
            for index, name, value in _har_pairs(post.get("params")):
                if scan.full:
                    break
                param = ("request", "postData", "params", index, "value")
                scan.form(param, [(name, value)], "the request postData.params", "")
    response = entry.get("response")
    if isinstance(response, Mapping):
        content_type = _har_side(scan, "response", response)
        redirect = response.get("redirectURL")
        if isinstance(redirect, str) and redirect:
            scan.url(("response", "redirectURL"), redirect, "the redirect URL", "response")
        content = response.get("content")
        if isinstance(content, Mapping):
            mime = content.get("mimeType")
            content_type = mime if isinstance(mime, str) and mime else content_type
            raw = response_body if response_body is not None else _as_bytes(content.get("text"))
            if raw is not None:
                path = ("response", "content", "text")
                scan.body(path, raw, content_type, "response", max_body_bytes)
    return tuple(scan.findings)
