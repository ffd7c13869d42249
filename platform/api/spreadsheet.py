"""Spreadsheet uploads and downloads: columns with Chinese and English headers, rows read
from an XLSX sheet (or a UTF-8 CSV), and a row-by-row report that refuses the whole file.

Shared by every bulk import (agencies and officers, the enforcement-matter catalog): the
rules are the same everywhere — all rows or none, and every bad cell named by sheet, row
and field in both languages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook

from yimen.platform.api.problems import Problem, translate

MAX_ROWS = 5000
MAX_FILE_BYTES = 5 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAGIC = b"PK\x03\x04"

_YES = {"是", "yes", "true", "1", "y"}
_NO = {"否", "no", "false", "0", "n", ""}


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    example: str
    required: bool = False

    @property
    def header(self) -> str:
        return f"{self.zh} ({self.en})"


def template(columns: tuple[Column, ...]) -> bytes:
    """An XLSX with the header row and one example row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "导入 import"
    write_sheet(sheet, columns, [[c.example for c in columns]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_sheet(sheet, columns: tuple[Column, ...], rows) -> None:
    """The header row, then `rows` (lists in column order), with readable widths."""
    sheet.append([c.header for c in columns])
    for row in rows:
        sheet.append(list(row))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
            14, len(column.header) + 4
        )


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file, or a 413 problem past MAX_FILE_BYTES."""
    content = upload.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise Problem(
            413, "payload-too-large", "导入文件不能超过 5 MB。", "Import files are limited to 5 MB."
        )
    return content


def read_rows(
    content: bytes,
    filename: str,
    columns: tuple[Column, ...],
    sheet: str | None = None,
    optional: bool = False,
) -> list[dict]:
    """Rows as dicts keyed by column key; the header may use the Chinese or English name.

    `sheet` names a worksheet of an XLSX file (the first one when None); an `optional`
    sheet that is missing or empty reads as no rows. A CSV file has only a first sheet."""
    if content.startswith(XLSX_MAGIC):
        raw = _xlsx_rows(content, sheet, optional)
    elif sheet is not None:
        raw = []
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _bad_file(
                "文件应为 XLSX 或 UTF-8 编码的 CSV。", "The file must be XLSX or UTF-8 CSV."
            ) from exc
        raw = [[v.strip() for v in row] for row in csv.reader(io.StringIO(text))]
    raw = [r for r in raw if any(r)]
    if not raw:
        if optional:
            return []
        raise _bad_file("文件为空。", "The file is empty.")
    keys = _header_keys(raw[0], columns, sheet)
    rows = [dict(zip(keys, r, strict=False)) for r in raw[1:]]
    if len(rows) > MAX_ROWS:
        raise _bad_file(f"一次最多导入 {MAX_ROWS} 行。", f"At most {MAX_ROWS} rows per file.")
    return [{k: v for k, v in row.items() if k} for row in rows]


def _xlsx_rows(content: bytes, sheet: str | None, optional: bool) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _bad_file("无法读取该 XLSX 文件。", "The XLSX file cannot be read.") from exc
    if sheet is None:
        worksheet = book.worksheets[0]
    elif sheet in book.sheetnames:
        worksheet = book[sheet]
    elif optional:
        return []
    else:
        raise _bad_file(f"文件缺少工作表「{sheet}」。", f"The workbook has no sheet '{sheet}'.")
    try:
        return [[cell(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
    except Exception as exc:
        raise _bad_file("无法读取该 XLSX 文件。", "The XLSX file cannot be read.") from exc


def cell(value) -> str:
    """A cell as the text a person typed: dates as ISO, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_keys(
    header: list[str], columns: tuple[Column, ...], sheet: str | None
) -> list[str | None]:
    names = {}
    for c in columns:
        for label in (c.header, c.zh, c.en, c.key):
            names[label.strip().lower()] = c.key
    keys = [names.get(str(h).strip().lower()) for h in header]
    missing = [c for c in columns if c.required and c.key not in keys]
    if missing:
        listed = "、".join(c.zh for c in missing)
        where_zh, where_en = (f"工作表「{sheet}」", f"Sheet '{sheet}': ") if sheet else ("", "")
        raise _bad_file(
            f"{where_zh}表头缺少必填列：{listed}。",
            where_en + "Missing required columns: " + ", ".join(c.en for c in missing) + ".",
        )
    return keys


def _bad_file(zh: str, en: str) -> Problem:
    return Problem(422, "invalid-import-file", zh, en)


def split_list(value: str) -> list[str]:
    """A cell holding several values, separated by 、 , ， or ;."""
    return [
        v.strip()
        for v in value.replace("，", ",").replace("、", ",").replace(";", ",").split(",")
        if v.strip()
    ]


def parse_flag(value: str) -> bool | str:
    """是/否, yes/no, 1/0 … as a boolean; anything else is returned for the schema to refuse."""
    lowered = value.strip().lower()
    return True if lowered in _YES else False if lowered in _NO else value


class RowReport:
    """Every problem of a file, row by row; `raise_if_any` refuses the whole file."""

    def __init__(self) -> None:
        self.errors: list[dict] = []

    def add(self, row: int, field: str, zh: str, en: str, sheet: str | None = None) -> None:
        entry: dict = {"row": row, "field": field, "message": zh, "message_en": en}
        if sheet is not None:
            entry["sheet"] = sheet
        self.errors.append(entry)

    def add_schema(self, row: int, messages: dict, sheet: str | None = None) -> None:
        for field, items in messages.items():
            for item in items if isinstance(items, list) else [items]:
                if isinstance(item, dict):
                    self.add_schema(row, {f"{field}.{k}": v for k, v in item.items()}, sheet)
                    continue
                zh, en = translate(item)
                self.add(row, field, zh, en, sheet)

    def raise_if_any(self, total: int) -> None:
        if self.errors:
            bad_rows = len({(e.get("sheet"), e["row"]) for e in self.errors})
            raise Problem(
                422,
                "import-rejected",
                f"共 {total} 行，其中 {bad_rows} 行有误，未导入任何数据。请按报告修改后重新导入。",
                f"{bad_rows} of {total} rows are invalid; nothing was imported. Fix them and import again.",
                extra={"rows": self.errors, "total_rows": total, "invalid_rows": bad_rows},
            )
