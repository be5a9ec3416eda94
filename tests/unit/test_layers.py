"""The import layers of pyproject.toml hold: scoring ← models ← periods ← assessments ← results
← reports, workbook ← views, urls, admin; accounts imports nothing above the evaluation's models;
no package's modules import each other in a cycle. A new upward import fails here, naming it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_imports_run_down_the_layers():
    run = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # Every contract was read and checked: one dropped from the configuration would not be.
    assert "Contracts: 3 kept, 0 broken." in run.stdout
