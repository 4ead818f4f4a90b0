"""``python -m bench.engine`` runs end to end on a throwaway SQLite database and ends with the ratio line.

Timings are not asserted: they depend on the machine.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_engine_runs_and_prints_the_ratio_last(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env["DOUDI_VAR_DIR"] = str(tmp_path / "var")  # the developer's var/ stays untouched either way
    result = subprocess.run(
        [sys.executable, "-m", "bench.engine", "--cases", "2", "--warmup", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert "database: sqlite" in result.stdout
    assert re.match(r"^engine_overhead_ratio \d+\.\d\d$", lines[-1]), lines[-1]
    assert float(lines[-1].split()[1]) > 0
    assert not (tmp_path / "var" / "doudi.sqlite3").exists()


def test_bench_engine_profile_prints_the_breakdown(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env["DOUDI_VAR_DIR"] = str(tmp_path / "var")
    result = subprocess.run(
        [sys.executable, "-m", "bench.engine", "--cases", "1", "--warmup", "0", "--profile"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "where the time goes" in result.stdout and "Ordered by: cumulative time" in result.stdout
    assert re.match(r"^engine_overhead_ratio \d+\.\d\d$", result.stdout.strip().splitlines()[-1])
