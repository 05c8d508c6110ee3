"""The XLSX workbook beside each territorial sheet: one tab per table of the sheet, with the
sheet's French headings and the same cells hidden ("secret"), and a first tab of notes (run,
code, publication policy). Local-authority analysts open spreadsheets, not Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from publication.charts import SUPPRESSED

if TYPE_CHECKING:
    from publication.sheets import Table

NOTES_TAB = "Notes"
# "auto": a whole number as such, else to the hundredth (as the sheet); chosen per cell, since
# "#,##0.##" shows a whole number with a trailing separator ("447,")
FORMATS = {"percent": "0.0 %", "decimal": "#,##0.0", "auto": "#,##0.00"}
WHOLE = "#,##0"


def _cell(table: Table, row, column: str):
    """A number stays a number (the analyst sums it); a hidden count is the word 'secret'."""
    value, shown = row[column], table.cell(row, column)
    numeric = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )
    if shown in ("", SUPPRESSED) or not numeric:
        return shown or None
    if isinstance(value, float | np.floating) and not float(value).is_integer():
        return float(value)  # a perimeter of 990.5 dwellings stays 990.5
    return float(value) if table.formats.get(column) in FORMATS else int(value)


def _tab_name(name: str, taken: set[str]) -> str:
    """Excel's limits: 31 characters, no []:*?/\\, unique in the workbook."""
    clean = "".join(" " if c in "[]:*?/\\" else c for c in name)[:31]
    candidate, n = clean, 2
    while candidate in taken:
        candidate = f"{clean[:28]} {n}"
        n += 1
    taken.add(candidate)
    return candidate


def write(path: Path, tables: list[Table], notes: dict[str, str]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = NOTES_TAB
    for key, value in notes.items():
        sheet.append([key, value])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 100
    taken = {NOTES_TAB}
    for table in tables:
        tab = book.create_sheet(_tab_name(table.tab, taken))
        tab.append(list(table.columns.values()))
        for cell in tab[1]:
            cell.font = Font(bold=True)
        for _, row in table.frame.iterrows():
            tab.append([_cell(table, row, column) for column in table.columns])
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            tab.column_dimensions[letter].width = max(12, min(45, len(table.columns[column]) + 2))
            shape = FORMATS.get(table.formats.get(column), FORMATS["decimal"])
            for (cell,) in tab.iter_rows(min_row=2, min_col=index, max_col=index):
                if isinstance(cell.value, float):
                    whole = table.formats.get(column) == "auto" and cell.value.is_integer()
                    cell.number_format = WHOLE if whole else shape
        tab.freeze_panes = "A2"
    book.save(path)
    return path
