"""Writing the board into its workbook in place: formkit owns only what it wrote.

A new board is a copy of the sheet template (``templates/sheets/uppfoljningstavla.xlsx``, or
the user's own in ``--templates``): its header row, widths, legend, print setup and the colours
of its rules. Regenerating a board edits the existing workbook's package (``formkit.xlsxpkg``)
and changes only:

* the system columns of the board's rows (and the rows' order: oldest follow-up first);
* the rows of the Arkiv sheet and of the hidden ``formkit`` sheet;
* formkit's colour rules (recognised by their formulas; their fill and font are kept) and the
  table's range.

Everything else in the package stays as it was read: the assessor's sheets with their charts and
pivot tables, comments, hyperlinks, dropdowns (also x14 ones in ``extLst``), merged cells, fills,
fonts, print settings, defined names, rows above the header. What is anchored to a row moves
with the row. Own formulas follow their columns by heading (``grid.translate``); one whose
column is not on the sheet it moves to is kept as text in the notes.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from openpyxl.utils import get_column_letter

from formkit.board.columns import (
    BY_HEADER,
    CONSENT_HEADER,
    EXECUTED_HEADER,
    HAND_HEADERS,
    HEADERS,
    ID_HEADER,
    NEXT_HEADER,
    NOTES_HEADER,
    SOURCE_HEADER,
    SYSTEM,
    Live,
)
from formkit.board.layout import (
    ARCHIVE_SHEET,
    ARCHIVED_HEADER,
    DATE_FORMAT,
    LEGEND_SHEET,
    MAIN_SHEET,
    SNAPSHOT_SHEET,
    SPARE_ROWS,
    rule_formulas,
    rule_kind,
)
from formkit.board.merge import OLD, SRC, MergedBoard, OldBoard, Sheet
from formkit.errors import MissingColumn
from formkit.xlsxpkg.grid import F_TAG, Formula, Grid, Lost, Row, replace_all, translate
from formkit.xlsxpkg.package import NS, Package, q, set_formula, set_value

SNAPSHOT_HEADERS = [h for h in HEADERS if h not in HAND_HEADERS]
WORKSHEET_ORDER = [
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr", "sheetProtection",
    "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate", "customSheetViews", "mergeCells",
    "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
    "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors",
    "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "picture", "oleObjects", "controls",
    "webPublishItems", "tableParts", "extLst",
]
LINE_HEIGHT = 15.0


@dataclass
class Written:
    """What writing found worth telling the assessor."""

    warnings: list[str] = field(default_factory=list)
    formulas_to_notes: int = 0


class BoardWriter:
    """Writes one merged board into ``board.package`` (the previous board, or the template)."""

    def __init__(self, board: OldBoard, template: Package):
        self.board = board
        self.package = board.package
        self.template = template
        styles = self.package.styles
        self.date_xf = styles.xf(DATE_FORMAT)
        self.text_xf = styles.xf()
        self.wrap_xf = styles.xf(wrap=True)
        self.date1904 = self.package.date1904
        self.sources: dict[str, Sheet] = {board.main.grid.part: board.main}
        self.by_title: dict[str, Sheet] = {MAIN_SHEET: board.main}
        main_entry = next((s for s in self.package.sheets() if s.part == board.main.grid.part), None)
        if main_entry is not None:
            self.by_title[main_entry.name] = board.main
        if board.archive_sheet is not None:
            self.by_title[ARCHIVE_SHEET] = board.archive_sheet
        self.out = Written()
        self.backup: str | None = None

    # --- the whole workbook -------------------------------------------------------------------
    def write(self, merged: MergedBoard, assessor_name: str, made: dt.date, new: bool, backup: str | None = None) -> Written:
        """``backup``: where the previous board is kept, for what could not be carried over."""
        self.backup = backup
        lost = self._main(merged)
        for row in merged.archive:
            src = row.get(SRC)
            for item in lost.get(src[1], []) if src and src[0] in self._main_titles() else []:
                row[NOTES_HEADER] = _append(row.get(NOTES_HEADER), f"[{made.isoformat()}] {item}")
        if merged.archive:
            self._archive(merged, made)
        self._snapshot(merged)
        if new:
            self._titles(assessor_name, made)
        self.package.drop_calc_chain()
        self.package.recalculate_on_load()
        self.out.warnings = [*merged.warnings, *self.out.warnings]
        return self.out

    def _main_titles(self) -> set[str]:
        return {t for t, s in self.by_title.items() if s is self.board.main}

    # --- the main sheet -----------------------------------------------------------------------
    def _main(self, merged: MergedBoard) -> dict[int, list[str]]:
        sheet = self.board.main
        grid = sheet.grid
        wanted = [*HEADERS, *_headings(merged.rows)]
        cols = self._headers(sheet, wanted)
        first = sheet.header_row + 1
        old_last = max(grid.last_row(), sheet.header_row)
        placed: list[tuple[Row, dict[str, Any]]] = []
        for row in merged.rows:
            src = row.get(SRC)
            reuse = src is not None and self.by_title.get(src[0]) is sheet and src[1] in grid.rows
            placed.append((grid.rows[src[1]] if reuse else grid.new_row(0), row))
        where = grid.place(first, old_last, [r for r, _ in placed])
        for element, row in placed:
            self._fill(sheet, element, row, cols, reused=row.get(SRC) is not None and self.by_title.get(row[SRC][0]) is sheet)
        found = grid.follow(where)
        last = max(first, first + len(placed) - 1)
        self._rules(grid, cols, first, last)
        self._table(grid, sheet, cols, last)
        grid.set_dimension(max(cols.values()))
        lost: dict[int, list[str]] = {}
        for item in found:
            if item.kind == "sammanfogning":
                self.out.warnings.append(
                    f"De sammanfogade cellerna {item.text} på bladet {MAIN_SHEET} kunde inte behållas, eftersom raderna "
                    f"sorterades isär; de finns i säkerhetskopian {self.backup or '(ingen: tavlan var ny)'}.")
                continue
            lost.setdefault(item.row, []).append(_lost_text(item))
            self.out.warnings.append(f"En {item.kind} på rad {item.row} på bladet {MAIN_SHEET} följde med raden till "
                                     f"fliken {ARCHIVE_SHEET} som text i Anteckningar.")
        return lost

    def _headers(self, sheet: Sheet, wanted: list[str]) -> dict[str, int]:
        """The column of each heading on ``sheet``: new headings are added after the last one,
        and every heading cell holds the name its table column must have."""
        grid = sheet.grid
        cols = dict(sheet.columns)
        header = grid.rows.get(sheet.header_row)
        if header is None:
            header = grid.new_row(sheet.header_row)
            grid.rows[sheet.header_row] = header
            grid.data.insert(0, header.element)
        system_style = _style(header.cells.get(cols.get(ID_HEADER, 0)))
        hand_style = _style(header.cells.get(cols.get(NOTES_HEADER, 0))) or system_style
        width = max(cols.values(), default=0)
        for name in wanted:
            if name not in cols and name.casefold() not in {c.casefold() for c in cols}:
                width += 1
                cols[name] = width
                sheet.names[width] = name
                sheet.shown[width] = name
        for col, name in sheet.names.items():
            text = sheet.shown.get(col) if name in HEADERS and sheet.shown.get(col) else name
            c = grid.cell(header, col)
            if grid.value(sheet.header_row, col) != text:
                style = system_style if name in HEADERS and name not in HAND_HEADERS else hand_style
                set_value(c, text, style=int(style) if style and c.get("s") is None else None)
            sheet.shown[col] = text
        return cols

    def _fill(self, sheet: Sheet, row: Row, values: dict[str, Any], cols: dict[str, int], reused: bool) -> None:
        """Write a row's values at its (new) place; on a reused row, only what changed."""
        grid = sheet.grid
        old = values.get(OLD, {}) if reused else {}
        system = values.get(SOURCE_HEADER) == SYSTEM
        styles = values.get("_s", {})
        lines = 1
        manual_reused = reused and not system
        for header, col, typed, per_line in _column_plan(cols):
            value = old.get(header) if typed and manual_reused else values.get(header)  # a manual row's cells are hers
            cls = value.__class__  # Live and Formula have no subclasses
            if cls is Live:
                c = grid.cell(row, col)
                text = _live(value, cols, row.number)
                if c.findtext(F_TAG) != text[1:]:
                    set_formula(c, text, style=None if c.get("s") else self.text_xf)
                continue
            if cls is Formula:
                self._formula(sheet, row, col, value, values, cols)
                continue
            was = old.get(header)
            # unchanged: the cell stays exactly as it was (the first test is the usual case, quickly)
            if not reused or not (was is value or (cls is was.__class__ and value == was and value != "")
                                  or _equal(value, was)):
                c = grid.cell(row, col)
                set_value(c, value, style=self._style_for(c, header, value, styles.get(header)), date1904=self.date1904)
            if per_line and isinstance(value, str) and (len(value) > per_line or "\n" in value):
                if "\n" in value:
                    lines = max(lines, sum(max(1, math.ceil(len(p) / per_line)) for p in value.split("\n")))
                else:
                    lines = max(lines, math.ceil(len(value) / per_line))
        height = min(409.0, LINE_HEIGHT * lines)
        current = row.element.get("ht")
        if lines > 1 and (current is None or float(current) < height):
            row.element.set("ht", str(height))
            row.element.set("customHeight", "1")

    def _formula(self, sheet: Sheet, row: Row, col: int, formula: Formula, values: dict[str, Any], cols: dict[str, int]) -> None:
        src = values.get(SRC)
        source = self.by_title.get(src[0]) if src else None
        names = source.names if source is not None else sheet.names
        c = sheet.grid.cell(row, col)
        try:
            text = translate(formula, names, cols, row.number)
        except MissingColumn as gone:
            header = next((n for n, k in cols.items() if k == col), "")
            set_value(c, None)
            note = (f"Formeln {formula} i kolumnen {header} pekade på kolumnen {gone.header}, som inte finns på "
                    f"fliken {ARCHIVE_SHEET if sheet is not self.board.main else MAIN_SHEET}; formeln står här som text.")
            notes_col = cols.get(NOTES_HEADER)
            if notes_col is not None:
                notes = sheet.grid.cell(row, notes_col)
                set_value(notes, _append(values.get(NOTES_HEADER), note), style=self._style_for(notes, NOTES_HEADER, "x", None))
                values[NOTES_HEADER] = _append(values.get(NOTES_HEADER), note)
            self.out.formulas_to_notes += 1
            return
        f = c.find("m:f", NS)
        if text != formula or f is None or f.get("t") == "shared" or src is None or self.by_title.get(src[0]) is not sheet:
            style = c.get("s") or values.get("_s", {}).get(next((n for n, k in cols.items() if k == col), ""))
            set_formula(c, text, style=int(style) if style else None)

    def _style_for(self, c: Any, header: str, value: Any, copied: str | None) -> int | None:
        existing = c.get("s") or copied
        is_date = isinstance(value, (dt.date, dt.datetime))
        if existing is not None and existing != "0":
            if is_date and not self.package.styles.is_date(int(existing)):
                return self.date_xf
            return int(existing)
        if is_date:
            return self.date_xf
        column = BY_HEADER.get(header)
        return self.wrap_xf if column is None or column.kind == "wrap" else self.text_xf

    # --- colour rules and the table -----------------------------------------------------------
    def _rules(self, grid: Grid, cols: dict[str, int], first: int, last: int) -> None:
        """formkit's rules, recognised by formula, replaced over the new range with the same look."""
        dxfs = _our_rules(grid.root, remove=True)
        template_dxfs = None
        styles_root = self.package.styles.root
        for kind in ("passed", "soon", "later", "not_executed"):
            if kind not in dxfs:
                if template_dxfs is None:
                    template_dxfs = self._template_rule_styles()
                dxfs[kind] = _add_dxf(styles_root, template_dxfs.get(kind))
        if EXECUTED_HEADER not in cols:
            return
        end = last + SPARE_ROWS
        executed = get_column_letter(cols[EXECUTED_HEADER])
        priority = max([int(r.get("priority", "0")) for r in grid.root.iter(q("cfRule"))] + [0])
        dated = sorted(cols[h] for h in (NEXT_HEADER, CONSENT_HEADER) if h in cols)
        made = []
        for col in dated:
            letter = get_column_letter(col)
            formulas = rule_formulas(letter, first, executed)
            made.append((f"{letter}{first}:{letter}{end}", [(k, formulas[k]) for k in ("passed", "soon", "later")]))
        parts, start = [], 1
        for col in [*dated, max(cols.values()) + 1]:
            if col > start:
                parts.append(f"{get_column_letter(start)}{first}:{get_column_letter(col - 1)}{end}")
            start = col + 1
        made.append((" ".join(parts), [("not_executed", rule_formulas("A", first, executed)["not_executed"])]))
        for sqref, rules in made:
            cf = etree.Element(q("conditionalFormatting"), sqref=sqref)
            for kind, formula in rules:
                priority += 1
                rule = etree.SubElement(cf, q("cfRule"), type="expression", priority=str(priority), stopIfTrue="1")
                if dxfs.get(kind) is not None:
                    rule.set("dxfId", str(dxfs[kind]))
                etree.SubElement(rule, q("formula")).text = formula
            insert_in_order(grid.root, cf)

    def _template_rule_styles(self) -> dict[str, Any]:
        template = self.template
        main = template.sheet(MAIN_SHEET) or template.sheets()[0]
        kinds = _our_rules(template.xml(main.part), remove=False)
        dxfs = template.styles.root.find("m:dxfs", NS)
        items = list(dxfs) if dxfs is not None else []
        return {k: items[i] for k, i in kinds.items() if i is not None and i < len(items)}

    def _table(self, grid: Grid, sheet: Sheet, cols: dict[str, int], last: int) -> None:
        width = max(cols.values())
        for part in self.package.related(grid.part, "table"):
            table = self.package.xml(part)
            start = table.get("ref", "A1").split(":")[0]
            first_col = _col_of(start)
            ref = f"{get_column_letter(first_col)}{sheet.header_row}:{get_column_letter(width)}{max(last, sheet.header_row + 1)}"
            table.set("ref", ref)
            auto = table.find("m:autoFilter", NS)
            if auto is not None:
                auto.set("ref", ref)
                for state in auto.findall("m:sortState", NS):
                    auto.remove(state)
            for state in table.findall("m:sortState", NS):
                table.remove(state)
            columns = table.find("m:tableColumns", NS)
            existing = {c.get("name", "").casefold(): c for c in columns}
            next_id = max([int(c.get("id", "0")) for c in columns] + [0]) + 1
            for c in list(columns):
                columns.remove(c)
            for col in range(first_col, width + 1):
                name = sheet.shown.get(col) or sheet.names.get(col) or f"Kolumn {get_column_letter(col)}"
                element = existing.pop(name.casefold(), None)
                if element is None:
                    element = etree.Element(q("tableColumn"), id=str(next_id), name=name)
                    next_id += 1
                element.set("name", name)
                columns.append(element)
            columns.set("count", str(len(columns)))
            return
        auto = grid.root.find("m:autoFilter", NS)
        if auto is not None:
            auto.set("ref", f"A{sheet.header_row}:{get_column_letter(width)}{max(last, sheet.header_row + 1)}")

    # --- Arkiv and the hidden sheet -----------------------------------------------------------
    def _archive(self, merged: MergedBoard, made: dt.date) -> None:
        sheet = self.board.archive_sheet
        if sheet is None:
            self.out.warnings.append(f"Fliken {ARCHIVE_SHEET} finns inte längre i tavlan, så {len(merged.archive)} avslutade "
                                     "eller borttagna beslut står kvar på huvudbladet som Manuell.")
            return
        grid = sheet.grid
        wanted = [*HEADERS, *_headings(merged.archive), ARCHIVED_HEADER]
        cols = self._headers(sheet, wanted)
        first = sheet.header_row + 1
        old_last = max(grid.last_row(), sheet.header_row)
        placed = []
        for row in merged.archive:
            src = row.get(SRC)
            reuse = src is not None and src[0] == ARCHIVE_SHEET and src[1] in grid.rows
            placed.append((grid.rows[src[1]] if reuse else grid.new_row(0), row, reuse))
        where = grid.place(first, old_last, [r for r, _, _ in placed])
        for element, row, reuse in placed:
            if not reuse:
                row = {**row, OLD: {}}
            self._fill(sheet, element, {**row, SOURCE_HEADER: row.get(SOURCE_HEADER)}, cols, reused=reuse)
        grid.follow(where)
        last = max(first, first + len(placed) - 1)
        self._table(grid, sheet, cols, last)
        grid.set_dimension(max(cols.values()))

    def _snapshot(self, merged: MergedBoard) -> None:
        entry = self.package.sheet(SNAPSHOT_SHEET)
        if entry is None:
            return
        cols = self.board.main.columns
        rows = [[*SNAPSHOT_HEADERS], [cols.get(h, 0) for h in SNAPSHOT_HEADERS]]
        for row in merged.rows:
            if row.get(SOURCE_HEADER) == SYSTEM:
                rows.append([None if v.__class__ is Live else v for v in map(row.get, SNAPSHOT_HEADERS)])
        replace_all(self.package, entry.part, rows, self.date_xf)

    def _titles(self, assessor_name: str, made: dt.date) -> None:
        """A new board names its assessor: the legend's title and the printed page header."""
        title = f"Uppföljningstavla – {assessor_name}"
        legend = self.package.sheet(LEGEND_SHEET)
        if legend is not None:
            grid = Grid(self.package, legend.part)
            if grid.value(1, 1) == "Uppföljningstavla":
                set_value(grid.cell(grid.rows[1], 1), title)
            if 2 in grid.rows:
                text = grid.value(2, 1)
                set_value(grid.cell(grid.rows[2], 1), f"Skapad {made.isoformat()}. {text or ''}".strip())
        for entry in self.package.sheets():
            for header in self.package.xml(entry.part).iterfind("m:headerFooter/m:oddHeader", NS):
                if header.text and "Uppföljningstavla" in header.text:
                    header.text = header.text.replace("Uppföljningstavla", title.replace("&", "&&"), 1)


# --- helpers ---------------------------------------------------------------------------------

def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, dt.datetime) and a.time() == dt.time(0):
        a = a.date()
    if isinstance(b, dt.datetime) and b.time() == dt.time(0):
        b = b.date()
    if a == "":
        a = None
    return type(a) is type(b) and a == b


def _style(c: Any) -> str | None:
    return None if c is None else c.get("s")


def _append(notes: Any, line: str) -> str:
    return line if notes in (None, "") else f"{notes}\n{line}"


def _lost_text(item: Lost) -> str:
    return f"Kommentar: {item.text}" if item.kind == "kommentar" else f"Länk: {item.text}"


def _headings(rows: list[dict[str, Any]]) -> list[str]:
    """Every heading the rows have values under, in the order first met (not formkit's own keys)."""
    seen: dict[str, Any] = {}
    for row in rows:
        seen.update(row)
    return [h for h in seen if not h.startswith("_") and h != ARCHIVED_HEADER]


def _column_plan(cols: dict[str, int]) -> list[tuple[str, int, bool, float]]:
    """For each column of a sheet: its heading, its number, whether it is a system column whose
    typed value a manual row keeps, and (for a wrapped column) the characters per printed line,
    else 0. Worked out once per sheet rather than for every cell."""
    key = tuple(cols.items())
    plan = _PLANS.get(key)
    if plan is None:
        plan = []
        for header, col in cols.items():
            column = BY_HEADER.get(header)
            wraps = column is None or column.kind == "wrap"
            per_line = max(1.0, (column.width if column else 20) * 1.15 - 1) if wraps else 0.0
            typed = header in HEADERS and header not in HAND_HEADERS and header != SOURCE_HEADER
            plan.append((header, col, typed, per_line))
        _PLANS[key] = plan
    return plan


_PLANS: dict[tuple[tuple[str, int], ...], list[tuple[str, int, bool, float]]] = {}


def _live(value: Live, cols: dict[str, int], row: int) -> str:
    return "=" + re.sub(r"\{([^}]+)\}", lambda m: f"{get_column_letter(cols[m.group(1)])}{row}", str(value))


def _col_of(ref: str) -> int:
    letters = re.match(r"\$?([A-Za-z]+)", ref).group(1)
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _our_rules(root: Any, remove: bool) -> dict[str, int | None]:
    """formkit's colour rules on a sheet, by kind, with their look (dxfId); removed if asked."""
    found: dict[str, int | None] = {}
    for cf in list(root.iterfind("m:conditionalFormatting", NS)):
        for rule in list(cf.iterfind("m:cfRule", NS)):
            kind = rule_kind(rule.findtext("m:formula", "", NS))
            if kind is None:
                continue
            dxf = rule.get("dxfId")
            found.setdefault(kind, int(dxf) if dxf is not None else None)
            if remove:
                cf.remove(rule)
        if remove and len(cf.findall("m:cfRule", NS)) == 0:
            root.remove(cf)
    return found


def _add_dxf(styles_root: Any, dxf: Any) -> int | None:
    if dxf is None:
        return None
    dxfs = styles_root.find("m:dxfs", NS)
    if dxfs is None:
        dxfs = etree.Element(q("dxfs"))
        anchor = styles_root.find("m:cellStyles", NS)
        if anchor is not None:
            anchor.addnext(dxfs)
        else:
            styles_root.append(dxfs)
    dxfs.append(copy.deepcopy(dxf))
    dxfs.set("count", str(len(dxfs)))
    return len(dxfs) - 1


def insert_in_order(root: Any, element: Any) -> None:
    """Insert a worksheet child where the schema's order puts it (Excel refuses another order)."""
    tag = etree.QName(element).localname
    after = WORKSHEET_ORDER[:WORKSHEET_ORDER.index(tag) + 1]
    position = 0
    for i, child in enumerate(root):
        if not isinstance(child.tag, str):
            continue
        if etree.QName(child).localname in after:
            position = i + 1
    root.insert(position, element)
