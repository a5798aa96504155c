"""Command line: ``python -m grader sync [chapter ...]`` regenerates exercises/ from solutions/."""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def chapters() -> list[str]:
    return sorted(p.name for p in (ROOT / "solutions").glob("ch*") if p.is_dir())


def nbgrader(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run an nbgrader command with this interpreter's environment (alembic must be on PATH)."""
    exe = shutil.which("nbgrader", path=str(Path(sys.executable).parent)) or "nbgrader"
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True)


def sync(names: list[str]) -> int:
    status = 0
    for name in names or chapters():
        result = nbgrader("generate_assignment", name, "--force")
        ok = result.returncode == 0
        print(f"{'✓' if ok else '✗'} exercises/{name}/{name}.ipynb")
        if not ok:
            print(result.stdout + result.stderr, file=sys.stderr)
            status = 1
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_sync = sub.add_parser("sync", help="regenerate exercises/<chapter>/ from solutions/<chapter>/ with nbgrader")
    p_sync.add_argument("chapters", nargs="*", help="chapter ids (default: all)")
    args = parser.parse_args(argv)
    if args.command == "sync":
        return sync(args.chapters)
    return 2


if __name__ == "__main__":
    sys.exit(main())
