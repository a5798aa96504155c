# Every target sets up .venv first, so a fresh machine needs only python3, make and pip.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
# nbgrader's Gradebook calls the `alembic` executable, which lives in the venv.
export PATH := $(abspath $(VENV))/bin:$(PATH)
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0
CHAPTERS := $(notdir $(wildcard solutions/ch*))

.PHONY: install book publish test test-fast sync bench hub clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-test.txt constraints.txt pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-test.txt \
		-c constraints.txt -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" >/dev/null
	@# The browser test drives Debian's Chromium (Playwright's own browser download is not used).
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && \
		apt-get install -y -q chromium >/dev/null 2>&1; }; }; } || \
		echo "note: chromium is not installed; the browser test of the book will be skipped"
	@# Sandboxed batch grading uses bubblewrap; its PostgreSQL test starts a local server.
	@command -v bwrap >/dev/null && command -v pg_ctlcluster >/dev/null || { [ "$$(id -u)" = 0 ] && \
		command -v apt-get >/dev/null && { apt-get install -y -q bubblewrap postgresql >/dev/null 2>&1 || \
		{ apt-get update -q >/dev/null 2>&1 && apt-get install -y -q bubblewrap postgresql >/dev/null 2>&1; }; }; } || \
		echo "note: bubblewrap/postgresql missing; sandboxed grading tests will be skipped"
	@# The course JupyterHub (make hub, tests/instructor/test_hub.py) needs its proxy from npm.
	@command -v configurable-http-proxy >/dev/null || { command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && \
		command -v apt-get >/dev/null && { apt-get install -y -q npm >/dev/null 2>&1 || { apt-get update -q \
		>/dev/null 2>&1 && apt-get install -y -q npm >/dev/null 2>&1; }; }; }; \
		command -v npm >/dev/null && npm install -g --silent configurable-http-proxy@5.3.0 >/dev/null 2>&1; } || \
		echo "note: configurable-http-proxy is not installed; make hub and the hub test need it"
	@# The book serves MathJax itself (book/_ext/offline_mathjax.py): npm fetches the package once.
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get install -y -q npm >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && \
		apt-get install -y -q npm >/dev/null 2>&1; }; }; } || \
		echo "note: npm is not installed; the book would load MathJax from a CDN (apt-get install npm)"
	@command -v npm >/dev/null && $(PY) book/_ext/offline_mathjax.py >/dev/null || true
	touch $(STAMP)

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo "Book: $(abspath _build/html/index.html)"

# Push the built book to the gh-pages branch of `origin` (GitHub Pages: Settings → Pages → Deploy
# from branch gh-pages). The workflow .github/workflows/book.yml does the same on every push to main.
publish: book
	$(VENV)/bin/ghp-import --no-jekyll --push --force --message "Publish the book" _build/html

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup --durations=30

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow"

# Regenerate the student notebooks in exercises/ from the nbgrader sources in solutions/.
sync: $(STAMP)
	$(PY) -m grader sync $(CHAPTERS)

bench: $(STAMP)
	$(PY) -m benchmarks.notebooks_and_checks
	$(PY) -m benchmarks.grading

# The course JupyterHub on this machine (needs root): users, nbgrader exchange, http://127.0.0.1:8000/.
# Options go through HUB_ARGS, e.g. make hub HUB_ARGS="--students alice,bob --ip 0.0.0.0"
hub: $(STAMP)
	$(PY) -m grader hub $(HUB_ARGS)

clean:
	rm -rf _build .pytest_cache
