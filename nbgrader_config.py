"""nbgrader settings for the course (run nbgrader commands from the repository root)."""
import os

# Kernels started by nbgrader inherit this: TensorFlow's C++ logs stay off stderr.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from grader.authoring.nbgrader_starters import StarterSolutions  # noqa: E402
from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearMarkScheme,  # noqa: E402
                                    ClearOutput, ComputeChecksums, IncludeHeaderFooter, InstantiateTests,
                                    LockCells, SaveCells)

c = get_config()  # noqa: F821

c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.db_url = os.environ.get("NBGRADER_DB_URL", "sqlite:///gradebook.db")
# A non-empty course id: nbgrader's PostgreSQL tables reference the course row by it.
c.CourseDirectory.course_id = "convnets-hands-on"  # = grader.instructor.course_config.COURSE_ID

# Student versions show learntools-style starters (`kernel = ____`), see grader/authoring/nbgrader_starters.py.
c.GenerateAssignment.preprocessors = [
    IncludeHeaderFooter, InstantiateTests, LockCells, StarterSolutions, ClearOutput, CheckCellMetadata,
    ComputeChecksums, SaveCells, ClearHiddenTests, ClearMarkScheme, ComputeChecksums, CheckCellMetadata,
]
c.StarterSolutions.code_stub = {"python": "____  # your code here"}

# Feedback pages: a per-question summary (✓/✗, points, check()'s message) on top, and hidden tests'
# verdicts instead of their code (grader/instructor/feedback_summary.py).
from grader.instructor.feedback_summary import FeedbackSummary  # noqa: E402
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402
c.GenerateFeedback.preprocessors = [GetGrades, FeedbackSummary, CSSHTMLHeaderPreprocessor]

# A test cell that writes anything to stderr scores 0 in nbgrader; warnings must never cost points.
# Errors are a separate output type, so dropping stderr text cannot turn a failure into a pass.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[\s\S]"

# TensorFlow's import alone takes several seconds; training cells take longer.
c.Execute.timeout = 300
c.Execute.startup_timeout = 120
c.Execute.interrupt_on_timeout = True
