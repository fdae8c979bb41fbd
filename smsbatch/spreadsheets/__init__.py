"""Spreadsheets in and out: recipient lists as people keep them, results as offices read them."""

from smsbatch.spreadsheets._files import (
    CSV_SUFFIXES,
    EXCEL_SUFFIXES,
    read_recipients,
    write_results,
)

__all__ = ["CSV_SUFFIXES", "EXCEL_SUFFIXES", "read_recipients", "write_results"]
