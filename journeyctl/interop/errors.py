"""The one error every importer raises: the file cannot be imported at all (one message, exit 2)."""


class SourceError(Exception):
    """The file cannot be imported at all (exit 2): not a workbook, encrypted, formulas, no journey block."""
