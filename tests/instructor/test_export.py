"""Canvas and Moodle CSVs of a small class: their columns and values, straight from the gradebook."""
import csv
import datetime
import pytest

from grader.__main__ import main

from grader.instructor import course_config, exports

DUE = datetime.datetime(2026, 3, 1, 12, 0)
# student -> assignment -> points per question (None: no submission)
CLASS = {
    "alice": {"ch01_convolution_1d": (1, 1, 3), "ch02_convolution_2d": (2, 2)},
    "bob": {"ch01_convolution_1d": (1, 0, 1), "ch02_convolution_2d": None},
    "chloé": {"ch01_convolution_1d": (0, 0, 0), "ch02_convolution_2d": (2, 0)},
}
MAX = {"ch01_convolution_1d": (1, 1, 3), "ch02_convolution_2d": (2, 2)}
NAMES = {"alice": ("Alice", "Archer", "alice@uni.example", "1001"), "bob": ("Bob", "Baker", "bob@uni.example", "1002"),
         "chloé": ("Chloé", "Côté", "chloe@uni.example", "1003")}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder whose gradebook holds the class above (bob's chapter 1 is 1 point late)."""
    root = tmp_path_factory.mktemp("export-course")
    (root / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.db_url = 'sqlite:///gradebook.db'\n")
    with course_config.gradebook(course_config.db_url(root)) as gb:
        for student, (first, last, email, lms) in NAMES.items():
            gb.add_student(student, first_name=first, last_name=last, email=email, lms_user_id=lms)
        gb.add_assignment("ch03_convolution_3d", duedate=DUE)          # nobody handed it in: not exported
        for assignment, points in MAX.items():
            gb.add_assignment(assignment, duedate=DUE)
            gb.add_notebook(assignment, assignment)
            for i, p in enumerate(points):
                gb.add_grade_cell(f"q{i + 1}_test", assignment, assignment, max_score=p, cell_type="code")
        for student, work in CLASS.items():
            for assignment, got in work.items():
                if got is None:
                    continue
                sub = gb.add_submission(assignment, student)
                for grade in sub.notebooks[0].grades:
                    grade.auto_score = got[int(grade.name[1]) - 1]
                if student == "bob":
                    sub.notebooks[0].late_submission_penalty = 1.0
        gb.db.commit()
    return root


def read(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def export(course, fmt):
    """`python -m grader export --format fmt` (in-process; plain runs `nbgrader export`)."""
    out = course / f"{fmt}.csv"
    assert main(["export", "--course", str(course), "--format", fmt, "--to", str(out)]) == 0
    return read(out)


def test_canvas_layout_and_values(course):
    rows = export(course, "canvas")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ch01_convolution_1d",
                       "ch02_convolution_2d"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "5", "4"]
    assert rows[2:] == [["Archer, Alice", "1001", "alice", "alice", "", "5", "4"],
                        ["Baker, Bob", "1002", "bob", "bob", "", "1", "0"],        # 2 points, 1 late penalty; none
                        ["Côté, Chloé", "1003", "chloé", "chloé", "", "0", "2"]]


def test_moodle_layout_and_values(course):
    rows = export(course, "moodle")
    assert rows[0] == ["Username", "ID number", "Email address", "First name", "Last name",
                       "ch01_convolution_1d (max 5)", "ch02_convolution_2d (max 4)"]
    assert rows[1:] == [["alice", "1001", "alice@uni.example", "Alice", "Archer", "5", "4"],
                        ["bob", "1002", "bob@uni.example", "Bob", "Baker", "1", "0"],
                        ["chloé", "1003", "chloe@uni.example", "Chloé", "Côté", "0", "2"]]


def test_plain_layout_agrees_with_nbgrader_export(course):
    ours = exports.plain_rows(exports.gather(course_config.db_url(course)))
    theirs = export(course, "plain")                                   # nbgrader export itself
    assert ours[0] == theirs[0]
    key = lambda r: (r[0], r[3])   # noqa: E731
    theirs_by = {key(r): r for r in theirs[1:] if r[0] != "ch03_convolution_3d"}
    assert len(ours) - 1 == len(theirs_by) == 6
    for row in ours[1:]:
        other = theirs_by[key(row)]
        assert [float(x) for x in row[7:]] == [float(x) for x in other[7:]], (row, other)
