"""Command line of the course.

``python -m grader sync [chapter ...]`` regenerates exercises/ from solutions/. Instructor commands
(run from the course root, or pass ``--course``): generate, release, collect, autograde, feedback,
export, report — see book/instructors.md.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from grader.authoring.notebooks import ROOT, chapters
from grader.authoring import setup_cell



def nbgrader(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run an nbgrader command with this interpreter's environment (alembic must be on PATH)."""
    exe = shutil.which("nbgrader", path=str(Path(sys.executable).parent)) or "nbgrader"
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True)


def sync(names: list[str]) -> int:
    status = 0
    for name in names or chapters():
        if not setup_cell.prepare(name):   # the install line, from _config.yml's repository.url
            status = 1
            continue
        result = nbgrader("generate_assignment", name, "--force")
        ok = result.returncode == 0
        print(f"{'✓' if ok else '✗'} exercises/{name}/{name}.ipynb")
        if not ok:
            print(result.stdout + result.stderr, file=sys.stderr)
            status = 1
    from grader.authoring import points     # what a student's progress() shows
    if points.write():
        print("✓ grader/checks/points.json")
    from grader.instructor import release   # what `validate` compares with outside the repository
    release.write_manifest(names or chapters(), ROOT / "exercises")
    return status


def default_course() -> Path:
    cwd = Path.cwd()
    return cwd if (cwd / "nbgrader_config.py").exists() else ROOT


def run_nbgrader(course: Path, *args: str) -> int:
    from grader.instructor.course_config import ensure_tools_on_path
    ensure_tools_on_path()
    result = nbgrader(*args, cwd=course)
    print(result.stdout + result.stderr, end="", file=sys.stderr if result.returncode else sys.stdout)
    return result.returncode


def instructor(args) -> int:
    course = Path(args.course).resolve()
    if args.command == "generate":
        from grader.instructor import course_config
        source = course / course_config.load(course).CourseDirectory.source_directory
        status = 0
        for name in args.assignments or sorted(p.name for p in source.iterdir() if p.is_dir()):
            status |= run_nbgrader(course, "generate_assignment", name, "--force")
        return status
    if args.command == "release" and args.exchange:
        # the gradebook learns the assignment (and any edit of its source), then nbgrader's exchange gets it
        return (run_nbgrader(course, "generate_assignment", args.assignment, "--force")
                or run_nbgrader(course, "release_assignment", args.assignment, "--force"))
    if args.command == "release":
        if not args.to:
            print("release: give --to FOLDER, or --exchange for nbgrader's exchange (JupyterHub)", file=sys.stderr)
            return 2
        from grader.instructor import course_config
        src = course / course_config.load(course).CourseDirectory.release_directory / args.assignment
        if not src.is_dir():
            print(f"no student version at {src}: run `python -m grader generate {args.assignment}` first",
                  file=sys.stderr)
            return 1
        dest = Path(args.to) / args.assignment
        shutil.copytree(src, dest, dirs_exist_ok=True)
        print(f"released {src} -> {dest}")
        return 0
    if args.command == "collect" and args.exchange:
        from grader.instructor import hub
        status = run_nbgrader(course, "collect", args.source, "--update")   # source is the assignment here
        students = hub.register_students(course, args.source)
        print(f"collected {len(students)} submissions of {args.source} from the exchange: {', '.join(students)}")
        return status
    if args.command == "collect":
        from grader.instructor import collect, course_config
        students = collect.collect(Path(args.source), course, args.assignment, db_url=course_config.db_url(course))
        print(f"collected {len(students)} submissions of {args.assignment} into {course / 'submitted'}: "
              f"{', '.join(students)}")
        return 0
    if args.command == "autograde":
        import os
        from grader.instructor import batch_autograde, sandbox
        limits = sandbox.Limits(memory_mb=args.memory_mb, cpu_seconds=args.cpu_seconds, wall_seconds=args.wall_seconds,
                                cell_seconds=args.cell_timeout, processes=args.processes)
        scheduler = args.scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
        try:
            result = batch_autograde.autograde(course, args.assignment, students=args.students or None,
                                               workers=args.workers, limits=limits, use_sandbox=not args.no_sandbox,
                                               warm=not args.cold_kernels, scheduler=scheduler, resume=args.resume,
                                               keep=args.keep_scratch, progress=sys.stderr.isatty() or args.progress)
        except RuntimeError as exc:     # the cluster or the sandbox cannot grade: say why, change nothing
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(result.summary())
        from grader.instructor import hub
        hub.give_back(course)      # graded as root (the sandbox): the course's owner keeps their files
        return 130 if result.interrupted else (1 if result.missing or result.refused else 0)
    if args.command == "feedback":
        status = run_nbgrader(course, "generate_feedback", args.assignment, "--force")
        if args.release and not status:
            status = run_nbgrader(course, "release_feedback", args.assignment)
        return status
    if args.command == "export":
        if args.format == "plain" and not args.assignment:
            return run_nbgrader(course, "export", "--to", args.to)
        from grader.instructor import course_config, exports
        out = exports.export(course_config.db_url(course), Path(args.to), args.format, args.assignment or None)
        print(f"{args.format} grades: {out}")
        return 0
    if args.command == "report":
        from grader.instructor import class_report, course_config
        out = class_report.write_report(course_config.db_url(course), args.assignment,
                                        Path(args.out or course / "reports" / f"{args.assignment}.html"), course=course)
        print(f"report: {out}")
        return 0
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_sync = sub.add_parser("sync", help="regenerate exercises/<chapter>/ from solutions/<chapter>/ with nbgrader")
    p_sync.add_argument("chapters", nargs="*", help="chapter ids (default: all)")
    p = sub.add_parser("hub", help="(root) set up and start the course JupyterHub on this machine; see deploy/")
    p.add_argument("--site", default="/srv/convnets-hub", help="where the hub keeps its state and the exchange")
    p.add_argument("--ip", default="127.0.0.1", help="0.0.0.0 to serve the lab's network (put TLS in front)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--instructor", default="instructor", help="the instructor's user name")
    p.add_argument("--students", default="student1,student2", help="comma-separated user names")
    p.add_argument("--password", action="append", help="USER:PASSWORD (default: generated and printed)")
    p.add_argument("--setup-only", action="store_true", help="create users, exchange and configuration; do not serve")
    p = sub.add_parser("validate", help="before submitting: will this notebook grade? (runs it, lists what costs points)")
    p.add_argument("notebook")
    p.add_argument("--assignment", help="the assignment (default: the file's name)")
    p.add_argument("--release", help="the released notebook to compare with (default: exercises/ or the package's copy)")
    p.add_argument("--cell-timeout", type=int, default=60, help="seconds one cell may run (default 60, as grading)")
    p.add_argument("--no-run", action="store_true", help="only compare with the release, do not run the notebook")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    def command(name, help):
        p = sub.add_parser(name, help=help)
        p.add_argument("--course", default=str(default_course()), help="course root (holds nbgrader_config.py)")
        return p
    command("generate", "nbgrader generate_assignment: solutions/ -> exercises/ and the gradebook").add_argument(
        "assignments", nargs="*", help="chapter ids (default: all)")
    p = command("release", "give students the student version: --exchange (JupyterHub) or --to a folder")
    p.add_argument("assignment")
    p.add_argument("--to", help="e.g. a shared folder students can reach")
    p.add_argument("--exchange", action="store_true", help="nbgrader's exchange: students fetch it in JupyterLab")
    p = command("collect", "copy submissions (alice.ipynb, … or <student>/<assignment>/) into submitted/; "
                           "`collect --exchange ASSIGNMENT` takes the latest from nbgrader's exchange")
    p.add_argument("source", help="a folder of submissions (with --exchange: the assignment)")
    p.add_argument("assignment", nargs="?")
    p.add_argument("--exchange", action="store_true", help="collect from nbgrader's exchange (JupyterHub)")
    p = command("autograde", "sandboxed, parallel nbgrader autograde of every submission, merged into the gradebook")
    p.add_argument("assignment")
    p.add_argument("--students", nargs="*", help="only these students (default: everyone in submitted/)")
    p.add_argument("--workers", "-j", type=int, default=None, help="parallel workers (default: number of cores)")
    p.add_argument("--cell-timeout", type=int, default=60, help="seconds one cell may run (default 60)")
    p.add_argument("--memory-mb", type=int, default=2048, help="memory of one kernel (default 2048)")
    p.add_argument("--cpu-seconds", type=int, default=300, help="CPU time of one kernel (default 300)")
    p.add_argument("--wall-seconds", type=int, default=600, help="life of one kernel (default 600)")
    p.add_argument("--processes", type=int, default=64, help="processes and threads of one kernel (default 64)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run kernels unsandboxed (trusted notebooks only); without it, a machine or Dask worker "
                        "that cannot sandbox refuses to grade")
    p.add_argument("--scheduler", metavar="tcp://HOST:8786",
                   help="grade on this Dask cluster (default: $DASK_SCHEDULER_ADDRESS, else this machine)")
    p.add_argument("--resume", action="store_true",
                   help="grade only the students without complete results (after an interrupted run)")
    p.add_argument("--cold-kernels", action="store_true",
                   help="start every sandboxed kernel from a fresh interpreter instead of forking a warm one")
    p.add_argument("--keep-scratch", action="store_true", help="keep .autograde/ (scratch courses) for debugging")
    p.add_argument("--progress", action="store_true", help="show the progress bar even when not on a terminal")
    p = command("feedback", "nbgrader generate_feedback: feedback/<student>/<assignment>/*.html")
    p.add_argument("assignment")
    p.add_argument("--release", action="store_true", help="then release it to the exchange (students fetch it)")
    p = command("export", "the grades as CSV: nbgrader's (plain), or the layouts Canvas and Moodle import")
    p.add_argument("--to", default="grades.csv")
    p.add_argument("--format", choices=("plain", "canvas", "moodle"), default="plain")
    p.add_argument("--assignment", action="append", help="only this assignment (repeatable; default: all graded)")
    p = command("report", "instructor report page (HTML): score distribution, pass rate per question")
    p.add_argument("assignment")
    p.add_argument("--out", help="default: reports/<assignment>.html")
    args = parser.parse_args(argv)
    if args.command == "sync":
        return sync(args.chapters)
    if args.command == "hub":
        from grader.instructor import hub
        return hub.run(args)
    if args.command == "validate":
        from grader.instructor import validate
        return validate.main(args)
    return instructor(args)


if __name__ == "__main__":
    sys.exit(main())
