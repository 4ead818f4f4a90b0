"""``python -m bench.records`` runs end to end and ends with the ratio line (timings not asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_records_runs_and_prints_the_ratio_last(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env["DOUDI_VAR_DIR"] = str(tmp_path / "var")
    result = subprocess.run(
        [sys.executable, "-m", "bench.records", "--records", "2", "--warmup", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert "signatures verified: ok" in result.stdout
    for phase in ("render", "sign", "countersign"):
        assert re.search(rf"^median {phase}\s+\d+\.\d ms$", result.stdout, re.M), result.stdout
    assert re.match(r"^record_sign_overhead_ratio \d+\.\d\d$", lines[-1]), lines[-1]
    assert float(lines[-1].split()[1]) > 1
