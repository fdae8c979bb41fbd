"""Regenerate recipients.xlsx from recipients.csv: ``python sample_data/make_xlsx.py``.

The workbook is what smsbatch itself writes: phone numbers as text cells, ``datum`` as real
Excel dates, so both sample files read to the same DataFrame.
"""

from __future__ import annotations

from pathlib import Path

from smsbatch import read_recipients, write_results

HERE = Path(__file__).parent

if __name__ == "__main__":
    recipients = read_recipients(HERE / "recipients.csv")
    write_results(recipients, HERE / "recipients.xlsx", overwrite=True, sheet="ontvangers")
