"""Tabular downloads for officials: CSV (UTF-8 with BOM, opens in Excel) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(filename[:31])
    sheet.append(list(header))
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "@"  # keep identifiers as text
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def table_response(fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    return xlsx_response(filename, header, rows) if fmt == "xlsx" else csv_response(filename, header, rows)
