"""The one error the spec diff raises for input it cannot use."""

from __future__ import annotations


class SpecLoadError(Exception):
    """A document that cannot be read, parsed or used; its message is one line for the user."""
