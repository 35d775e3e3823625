#!/usr/bin/env bash
# Set up a virtual environment with everything the tests need, then run them (in parallel on
# all cores). Runs the database tests on SQLite, and on PostgreSQL too when one answers on
# TEST_POSTGRES_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-auto}" --dist loadfile "$@"
