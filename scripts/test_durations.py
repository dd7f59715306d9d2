"""Turn the last `make test` run's per-module seconds into tests/durations.json.

Each share of `make test` writes test-artifacts/durations-<share>.json: for every module, the
seconds its tests took (setup, call and teardown) and how many ran. This keeps, per module and
share, the seconds a test took on average; tests/conftest.py weighs the modules with it to split
the tests that run once between the two shares. Figures the run did not give keep their previous
value.
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
    merged = json.loads(OUT.read_text()) if OUT.exists() else {}
    for run in runs:
        share = run.stem.removeprefix("durations-")
        for module, (seconds, tests) in json.loads(run.read_text()).items():
            if tests:
                merged.setdefault(module, {})[share] = round(seconds / tests, 3)
    OUT.write_text(json.dumps(dict(sorted(merged.items())), indent=1) + "\n")
    print(f"{OUT.relative_to(ROOT)}: {len(merged)} modules, from {', '.join(r.name for r in runs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
