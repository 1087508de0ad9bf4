"""Reports as CSV for a spreadsheet: ownership one row per (entity, team, role); coverage one row per measure."""

from __future__ import annotations

import csv
import io

from cxpolicy.render.neutral import csv_cell
from cxpolicy.render.tables import OWNERSHIP_COLUMNS, ownership_rows
from cxpolicy.reports.coverage import MEASURES, CoverageReport
from cxpolicy.reports.ownership import OwnershipReport


def _csv(headers, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def ownership(report: OwnershipReport) -> str:
    return _csv(OWNERSHIP_COLUMNS, ownership_rows(report))


def coverage(report: CoverageReport) -> str:
    rows = []
    for row in report.rows():
        for name, _ in MEASURES:
            ratio = row.measures[name]
            share = "" if ratio.share is None else f"{ratio.share:.4f}"
            rows.append((row.scope, row.id, row.title, name, ratio.met, ratio.total, share))
    return _csv(("scope", "id", "title", "measure", "met", "total", "share"), rows)


def history(result) -> str:
    from cxpolicy.render.tables import HISTORY_COLUMNS

    rows = [(p.date.isoformat(), p.commit, p.author, *(p.measures[name] for name, _ in MEASURES), p.errors, p.warnings,
             p.unowned, p.waivers, p.loosened) for p in result.revisions]
    return _csv(HISTORY_COLUMNS, rows)
