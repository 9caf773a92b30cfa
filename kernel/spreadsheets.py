"""Cells for files people open in a spreadsheet (CSV, XLSX exports)."""

# A cell a spreadsheet would run as a formula (CSV injection) is prefixed with a quote.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """``value`` as text that a spreadsheet shows rather than runs."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text
