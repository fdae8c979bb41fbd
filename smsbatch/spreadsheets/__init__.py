"""Spreadsheets in and out: recipient lists as people keep them, results as offices read them."""

from smsbatch.spreadsheets._cells import CSV_SUFFIXES, EXCEL_SUFFIXES
from smsbatch.spreadsheets._limits import ReadLimits
from smsbatch.spreadsheets.reading import read_recipients
from smsbatch.spreadsheets.writing import write_results

__all__ = ["CSV_SUFFIXES", "EXCEL_SUFFIXES", "ReadLimits", "read_recipients", "write_results"]
