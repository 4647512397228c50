class GeneratorError(Exception):
    """A problem that stops generation; its message is shown to the user as one line."""
