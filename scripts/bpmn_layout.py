#!/usr/bin/env python3
"""Command line of ``engine.bpmn_layout``: give BPMN files the diagram (BPMNDI) bpmn-js needs to draw them.

    python scripts/bpmn_layout.py FILE_OR_DIR [...]          # rewrite each .bpmn file in place
    python scripts/bpmn_layout.py --check FILE_OR_DIR [...]  # exit 1 when a diagram is missing or stale
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.bpmn_layout import main  # noqa: E402 - after the path set-up

if __name__ == "__main__":
    sys.exit(main())
