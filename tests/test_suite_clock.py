"""The suite's own clock: OKIK_TEST_NOW starts a run at a chosen moment, and the helper that reads
mail as the scheduler delivers it follows that clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import WARSAW
from tests.conftest import scheduler_clock

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, os, time
from datetime import UTC, datetime


def test_probe():
    with open(os.environ["PROBE_OUT"], "w") as out:
        json.dump({"now": datetime.now(UTC).isoformat(), "time": time.time(),
                   "instance": os.environ["INSTANCE_PATH"]}, out)
"""


def test_okik_test_now_starts_the_clock_of_a_run_and_gives_it_its_own_instance_folder(tmp_path):
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    out = tmp_path / "probe.json"
    moment = "2027-03-28T01:30:00+01:00"
    env = {**os.environ, "OKIK_TEST_NOW": moment, "PROBE_OUT": str(out)}
    env.pop("INSTANCE_PATH", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider"]
        + [str(probe)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "clock: starts at 2027-03-28 01:30 CET" in result.stdout
    seen = json.loads(out.read_text())
    start = datetime.fromisoformat(moment)
    assert 0 <= (datetime.fromisoformat(seen["now"]) - start).total_seconds() < 60
    assert 0 <= seen["time"] - start.timestamp() < 60
    assert not Path(seen["instance"]).is_relative_to(ROOT)
    assert not Path(seen["instance"]).exists()  # removed when the run ended


@pytest.mark.clock
@pytest.mark.parametrize(
    ("now", "delivered_at"),
    [
        ("2026-12-02T02:30:00+01:00", "2026-12-02T08:05:00+01:00"),
        ("2026-12-02T21:30:00+01:00", "2026-12-03T08:05:00+01:00"),
        ("2027-03-27T23:00:00+01:00", "2027-03-28T08:05:00+02:00"),  # the night clocks go forward
        ("2026-12-02T10:00:00+01:00", "2026-12-02T10:00:00+01:00"),
    ],
)
def test_mail_is_read_as_the_scheduler_delivers_it_at_any_hour(time_machine, now, delivered_at):
    time_machine.move_to(datetime.fromisoformat(now), tick=False)
    assert scheduler_clock() == datetime.fromisoformat(delivered_at)
    assert scheduler_clock().astimezone(WARSAW).hour in (8, 10)
