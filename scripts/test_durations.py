"""Turn the last `make test` run's per-module seconds into tests/durations.json.

Each share of `make test` writes test-artifacts/durations-<share>.json: for every module, the
seconds its tests took (setup, call and teardown) and how many ran. This keeps, per module, the
seconds a test took on average over both shares; tests/conftest.py weighs the modules with it to
split the tests that run once between the two shares. Modules the run did not see keep their
previous figure.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "durations.json"


def main() -> int:
    runs = sorted((ROOT / "test-artifacts").glob("durations-*.json"))
    if not runs:
        print("No test-artifacts/durations-*.json: run `make test` first.", file=sys.stderr)
        return 1
    totals: dict[str, list[float]] = {}
    for run in runs:
        for module, (seconds, tests) in json.loads(run.read_text()).items():
            total = totals.setdefault(module, [0.0, 0])
            total[0] += seconds
            total[1] += tests
    merged = json.loads(OUT.read_text()) if OUT.exists() else {}
    merged.update({module: round(seconds / tests, 3) for module, (seconds, tests) in totals.items() if tests})
    OUT.write_text(json.dumps(dict(sorted(merged.items())), indent=1) + "\n")
    print(f"{OUT.relative_to(ROOT)}: {len(merged)} modules, from {', '.join(r.name for r in runs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
