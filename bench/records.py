"""Benchmark: render and sign approval forms (render → township signature → county countersignature).

Usage::

    python -m bench.records [--records N] [--warmup K]

Each record is the sample approval form (Chinese, four household members, QR code) rendered by
WeasyPrint, certified and signed by the township with its visible seal, then countersigned by the
county in an incremental update with its seal — what ``portal.records.service`` does, without the
database. Keys come from a throwaway test PKI in a temporary directory; the timestamp and B-LTA
settings are the configured ones (default: the local TSA, so B-T; no B-LTA). The last record is
verified once as a sanity check.

Prints the median of each phase; the last line is
``record_sign_overhead_ratio <(render + sign + countersign) / render>`` (medians).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings

    from portal.records import pki, render, samples, signing

    with tempfile.TemporaryDirectory(prefix="doudi-bench-pki-") as tmp:
        directory = pki.create_test_pki(Path(tmp))
        settings.RECORDS_PKI_DIR = directory
        settings.RECORDS_TRUST_ROOTS = [directory / "root.cert.pem"]
        settings.RECORDS_EXTRA_CERTS = [directory / "intermediate.cert.pem"]
        settings.RECORDS_SIGNERS = {}
        pki.clear_cache()
        township, county = "522601101", "522601"
        phases: dict[str, list[float]] = {"render": [], "sign": [], "countersign": []}
        data = samples.approval_form()
        last = b""
        for i in range(args.warmup + args.records):
            token = f"bench-{i:06d}-" + "x" * 20
            t0 = time.perf_counter()
            rendered = render.render("approval_form", data, token=token, business_key=f"DB-BENCH-{i:04d}")
            t1 = time.perf_counter()
            first = signing.sign(rendered.pdf, field="township", org_code=township, signer_name="赵敏",
                                 role="乡镇（街道）审核", create_fields=rendered.slots, certify=True, lta=False)
            t2 = time.perf_counter()
            second = signing.sign(first.pdf, field="county", org_code=county, signer_name="孙伟", role="县级审批")
            t3 = time.perf_counter()
            if i >= args.warmup:
                phases["render"].append(t1 - t0)
                phases["sign"].append(t2 - t1)
                phases["countersign"].append(t3 - t2)
            last = second.pdf
        t0 = time.perf_counter()
        ok = _verify_signatures(last)
        verify_s = time.perf_counter() - t0

    medians = {name: statistics.median(values) for name, values in phases.items()}
    tsa = settings.RECORDS_TSA_URL or "none"
    print(f"records: {args.records} approval forms (+{args.warmup} warm-up); TSA: {tsa}; B-LTA: {settings.RECORDS_LTA}")
    print(f"pdf size: {len(last)} bytes; signatures verified: {'ok' if ok else 'FAILED'} ({verify_s * 1000:.0f} ms)")
    for name, value in medians.items():
        print(f"median {name:<12} {value * 1000:8.1f} ms")
    total = sum(medians.values())
    print(f"median total        {total * 1000:8.1f} ms")
    print(f"record_sign_overhead_ratio {total / medians['render']:.2f}")
    return 0 if ok else 1


def _verify_signatures(data: bytes) -> bool:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    from portal.records import pki

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    statuses = [validate_pdf_signature(s, pki.validation_context()) for s in reader.embedded_signatures]
    return len(statuses) == 2 and all(s.intact and s.valid and s.trusted for s in statuses)


if __name__ == "__main__":
    sys.exit(main())
