"""Static checks that belong to the suite: bandit finds no medium or high issue in the code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bandit_reports_no_medium_or_high_findings():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", "app", "matching", "-ll", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    findings = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
        for r in report["results"]
        if r["issue_severity"] in ("MEDIUM", "HIGH")
    ]
    assert findings == [], "\n".join(findings)
