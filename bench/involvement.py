"""Benchmark for the involvement record's money side: `/payments due` and `/payments export`.

Usage, from the repository root:

    .venv/bin/python bench/involvement.py [--postgres] [--seed N]

Builds a community of 2,000 members with 5 years of activities (10,000 activities, 10
attendance rows each: 100,000 rows; a third of the activities are paid, so about 33,000 fees,
all paid except those of the last 60 days, plus an approved travel claim for one fee in ten),
then times `payments.payments_due` (best of 5) and `payments.finance_export` with its `.xlsx`
and `.csv` for all 5 years and for the last year (best of 3), each beside a baseline timed in
the same run: the same table written by a bare `csv.writer` (best of 3), so a busy machine
shows as a slower baseline, not as a regression; and, once, openpyxl's write-only workbook on the
5 years' cells (the writer used before). It prints the same at a tenth of
the size, to show how the cost grows. SQLite always; PostgreSQL too with `--postgres`.

Goals: due under 200 ms, export under 3 s, at full size. This is a report, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere without installing

from sqlalchemy import insert, text  # noqa: E402

from bot.services.involvement import payments  # noqa: E402
from bot.services.involvement.payments import fee_pence  # noqa: E402
from bot.services.involvement.settings import Rate  # noqa: E402
from db.engine import Database  # noqa: E402
from db.migrate import upgrade_to_head  # noqa: E402
from db.models import Activity, Attendance, ExpenseClaim, Member, Payment, RoleCard  # noqa: E402
from tests.conftest import drop_schema, empty_database, postgres_answers  # noqa: E402

GUILD = 1
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
YEARS = 5
MEMBERS, ACTIVITIES, PER_ACTIVITY = 2_000, 10_000, 10
UNPAID_DAYS = 60
RATES = (
    Rate("hourly", "Hourly", "hourly", 2500),
    Rate("half_day", "Half day", "fixed", 7500),
)
DUE_GOAL_MS, EXPORT_GOAL_S = 200, 3.0
CHUNK = 5_000
LEAD = 10**17


async def insert_many(db: Database, model: Any, rows: list[dict[str, Any]]) -> None:
    async with db.sessions() as session, session.begin():
        for start in range(0, len(rows), CHUNK):
            await session.execute(insert(model), rows[start : start + CHUNK])


async def build(db: Database, scale: float, seed: int) -> dict[str, int]:
    """The community, written with bulk inserts (the services are timed, not the set-up)."""
    rng = random.Random(seed)
    members, count = int(MEMBERS * scale), int(ACTIVITIES * scale)
    people = [10**17 + 1 + n for n in range(members)]
    await insert_many(
        db,
        Member,
        [
            {
                "guild_id": GUILD,
                "user_id": user_id,
                "consent_version": "bench",
                "consented_at": NOW,
                "display_name": f"Member {n}",
                "interests": [],
                "availability": [],
                "created_at": NOW,
            }
            for n, user_id in enumerate(people)
        ],
    )
    span = timedelta(days=365 * YEARS)
    activities: list[dict[str, Any]] = []
    cards: list[dict[str, Any]] = []
    attendance: list[dict[str, Any]] = []
    fees: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for activity_id in range(1, count + 1):
        starts = NOW - span + span * (activity_id / (count + 1))
        duration = rng.choice((60, 90, 120, 180))
        paid = rng.random() < 1 / 3
        rate = rng.choice(RATES) if paid else None
        activities.append(
            {
                "id": activity_id,
                "guild_id": GUILD,
                "title": f"Activity {activity_id}",
                "kind": "research",
                "starts_at": starts,
                "duration_minutes": duration,
                "capacity": PER_ACTIVITY,
                "lead_user_id": LEAD,
                "status": "open",
                "created_at": starts,
            }
        )
        if rate:
            cards.append(
                {
                    "activity_id": activity_id,
                    "reading_minutes": 30,
                    "payment_rate": rate.key,
                    "choose": "first_come",
                    "updated_at": starts,
                }
            )
        ends = starts + timedelta(minutes=duration)
        for user_id in rng.sample(people, PER_ACTIVITY):
            minutes = duration + 30
            attendance.append(
                {
                    "activity_id": activity_id,
                    "user_id": user_id,
                    "status": "attended",
                    "minutes": minutes,
                    "marked_by": LEAD,
                    "marked_at": ends,
                }
            )
            if rate is None:
                continue
            paid_at = (
                ends + timedelta(days=14) if NOW - ends > timedelta(days=UNPAID_DAYS) else None
            )
            fee = {
                "guild_id": GUILD,
                "activity_id": activity_id,
                "claim_id": None,
                "user_id": None if paid_at else user_id,
                "paid_user_id": user_id if paid_at else None,
                "source": "fee",
                "rate_key": rate.key,
                "what": None,
                "minutes": minutes,
                "amount_pence": fee_pence(rate, minutes),
                "choice": rng.choice(("payment", "voucher", None)),
                "owed_since": ends,
                "paid_at": paid_at,
                "paid_by": LEAD if paid_at else None,
                "for_title": f"Activity {activity_id}",
                "for_date": starts,
            }
            fees.append(fee)
            if rng.random() < 0.1:
                claim_id = len(claims) + 1
                claims.append(
                    {
                        "id": claim_id,
                        "guild_id": GUILD,
                        "activity_id": activity_id,
                        "user_id": user_id,
                        "what": "travel",
                        "amount_pence": rng.randint(250, 4000),
                        "status": "paid" if paid_at else "approved",
                        "claimed_at": ends,
                        "decided_by": LEAD,
                        "decided_at": ends,
                        "for_title": f"Activity {activity_id}",
                        "for_date": starts,
                    }
                )
                fees.append(
                    {
                        **fee,
                        "claim_id": claim_id,
                        "source": "expense",
                        "rate_key": None,
                        "what": "travel",
                        "minutes": None,
                        "amount_pence": claims[-1]["amount_pence"],
                        "choice": "payment",
                    }
                )
    await insert_many(db, Activity, activities)
    await insert_many(db, RoleCard, cards)
    await insert_many(db, Attendance, attendance)
    await insert_many(db, ExpenseClaim, claims)
    await insert_many(db, Payment, fees)
    due = sum(1 for row in fees if row["paid_at"] is None)
    return {
        "members": members,
        "activities": count,
        "attendance": len(attendance),
        "payments": len(fees),
        "due": due,
    }


async def best_of(runs: int, work: Callable[[], Awaitable[object]]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = await work()
        best = min(best, time.perf_counter() - started)
    return best, result


def bare_csv(made: payments.FinanceExport) -> str:
    """The baseline, timed in the same run: the export's table written by a bare csv writer
    (no formula guard), the least any file of these rows costs on this machine now."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(made.table())
    return buffer.getvalue()


def openpyxl_xlsx(made: payments.FinanceExport) -> bytes:
    """The writer the export used before: openpyxl's write-only workbook, the same cells.
    Timed once, for the 5 years, to show what the direct sheet writer saves."""
    from decimal import Decimal

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("payments")
    money = payments.EXPORT_HEADINGS.index("amount_gbp")
    for number, line in enumerate(made.table()):
        cells: list[str | Decimal] = [payments.safe_cell(cell) for cell in line]
        if number:
            cells[money] = Decimal(made.rows[number - 1].amount_pence) / 100
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def measure(db: Database) -> dict[str, float | int]:
    async def due() -> list[payments.DueLine]:
        async with db.sessions() as session:
            return await payments.payments_due(session, GUILD, NOW)

    def export(days: int) -> Callable[[], Awaitable[payments.FinanceExport]]:
        async def run() -> payments.FinanceExport:
            async with db.sessions() as session:
                return await payments.finance_export(
                    session, GUILD, NOW - timedelta(days=days), NOW + timedelta(days=1)
                )

        return run

    async def late() -> payments.LateSummary:
        async with db.sessions() as session:
            return await payments.late_summary(session, GUILD, NOW, 21)

    due_s, lines = await best_of(5, due)
    late_s, _ = await best_of(5, late)
    found: dict[str, float | int] = {
        "due_ms": due_s * 1000,
        "due_rows": len(lines),  # type: ignore[arg-type]
        "late_ms": late_s * 1000,
    }
    for name, days in (("all", 365 * YEARS + 1), ("year", 365)):
        query_s, export_found = await best_of(3, export(days))
        assert isinstance(export_found, payments.FinanceExport)
        made = export_found
        xlsx_s, xlsx = await best_of(3, partial(asyncio.to_thread, made.xlsx))
        csv_s, _ = await best_of(3, partial(asyncio.to_thread, made.csv))
        bare_s, _ = await best_of(3, partial(asyncio.to_thread, bare_csv, made))
        found[f"{name}_rows"] = len(export_found.rows)
        found[f"{name}_query_s"], found[f"{name}_xlsx_s"], found[f"{name}_csv_s"] = (
            query_s,
            xlsx_s,
            csv_s,
        )
        found[f"{name}_s"] = query_s + xlsx_s + csv_s
        found[f"{name}_bare_s"] = bare_s
        if name == "all":
            found["xlsx_kb"] = len(xlsx) // 1024  # type: ignore[arg-type]
            found["openpyxl_s"], _ = await best_of(
                1, partial(asyncio.to_thread, openpyxl_xlsx, made)
            )
    return found


def report(
    backend: str, scale: float, sizes: dict[str, int], found: dict[str, float | int]
) -> None:
    label = "full size" if scale == 1 else f"1/{round(1 / scale)} size"
    print(
        f"{backend}, {label}: {sizes['members']:,} members, {sizes['activities']:,} activities, "
        f"{sizes['attendance']:,} attendance rows, {sizes['payments']:,} payments"
    )
    print(
        f"  payments due:  {found['due_ms']:7.1f} ms for {found['due_rows']:,} lines "
        f"(goal {DUE_GOAL_MS} ms)"
    )
    print(f"  late summary:  {found['late_ms']:7.1f} ms")
    for name, words in (("all", "5 years"), ("year", "1 year")):
        print(
            f"  export {words}: {found[f'{name}_s']:6.2f} s for {found[f'{name}_rows']:,} rows "
            f"(query {found[f'{name}_query_s']:.2f} s, .xlsx {found[f'{name}_xlsx_s']:.2f} s, "
            f".csv {found[f'{name}_csv_s']:.2f} s; goal {EXPORT_GOAL_S} s)"
        )
        bare = found[f"{name}_bare_s"]
        print(
            f"    baseline, bare csv writer: {bare:.2f} s; .xlsx is "
            f"{found[f'{name}_xlsx_s'] / bare:.1f}x it, the whole export "
            f"{found[f'{name}_s'] / bare:.1f}x"
        )
    print(f"  .xlsx of 5 years: {found['xlsx_kb']:,} KB")
    print(
        f"  before: openpyxl write-only, 5 years, same cells: {found['openpyxl_s']:.2f} s "
        f"({found['openpyxl_s'] / found['all_bare_s']:.1f}x the baseline; the sheet writer "
        f"{found['all_xlsx_s'] / found['all_bare_s']:.1f}x)"
    )


async def run(backend: str, workdir: str, seed: int) -> None:
    for scale in (0.1, 1.0):
        db, schema = await empty_database(backend, workdir)
        try:
            await upgrade_to_head(db.engine)
            sizes = await build(db, scale, seed)
            if backend == "postgresql":  # what autovacuum would have done by now
                async with db.engine.begin() as connection:
                    await connection.execute(text("ANALYZE"))
            report(backend, scale, sizes, await measure(db))
        finally:
            await db.dispose()
            if schema:
                await drop_schema(schema)


async def main(postgres: bool, seed: int) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        await run("sqlite", workdir, seed)
        if postgres:
            if postgres_answers():
                await run("postgresql", workdir, seed)
            else:
                print("PostgreSQL: not running; skipped")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--postgres", action="store_true", help="run on PostgreSQL too")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.postgres, arguments.seed))
