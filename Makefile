# Two commands do all the set-up:  `make lab`  and  `make test`.
# Both create .venv if it is missing and install the pinned dependencies (constraints.txt).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := flock $(VENV)/.pip-lock $(PY) -m pip --disable-pip-version-check
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PORT   ?= 8888
# pytest-xdist workers; the cells of one notebook stay on one worker (--dist loadfile)
JOBS   ?= 2

.PHONY: help lab test setup setup-test setup-class editions execute bench site link release course grade report export hub hub-setup hub-stop binder bench-hub clean-venv nbgrader formgrader collect late hub-remove-users

help:
	@echo "make lab       set up and open the lessons in JupyterLab"
	@echo "make test      set up and run every test (unit, data, editions, nbval)"
	@echo "make editions  write the student editions from the teacher editions"
	@echo "make execute   maintainers: re-run every teacher notebook from a fresh kernel, then make editions"
	@echo "make site      build the lessons' website in _site/ (Sphinx, offline) [REPO=... HUB=... for the launch buttons]"
	@echo "make bench     print timings (lessons, imports, data, widgets, test suite, set-up; grading; each lesson's core and full time by the model)"
	@echo "make release   teachers: write the student-only class copy (class-copy/, a git repository) from course.toml"
	@echo "make grade ASSIGNMENT=lesson01   teachers: autograde the submissions (nbgrader) with a one-line report per student"
	@echo "make course    teachers: write the nbgrader course folder (course/) from course.toml and the teacher editions"
	@echo "make report ASSIGNMENT=lesson01   teachers: the class report (course/reports/lesson01/index.html, offline) [ARGS=--force]"
	@echo "make export LMS=canvas|moodle|csv  teachers: the grades as a CSV file the school's system imports [ROSTER=... ARGS=--per-exercise]"
	@echo "make nbgrader ARGS=\"generate_assignment lesson01\"   teachers: any nbgrader command, run in course/ with this project's nbgrader"
	@echo "make formgrader   teachers: open nbgrader's formgrader on course/ (http://127.0.0.1:$(FORMGRADER_PORT)/formgrader, loopback only)"
	@echo "make collect ASSIGNMENT=lesson01   teachers: file a platform's zip of submissions (course/downloaded/lesson01/archive/) with their times"
	@echo "make late ASSIGNMENT=lesson01      teachers: compute the late penalties again (after hand grading or a changed due date)"
	@echo "make link HUB=https://hub.example.edu REPO=https://github.com/ORG/CLASS-REPO [BRANCH=main]   the class copy's nbgitpuller link"
	@echo "make hub       teachers (as root): a trial JupyterHub on 127.0.0.1:8000 [HUB_PORT=8000 STUDENTS=3 HUB_STATE=folder]; make hub-stop stops it"
	@echo "make hub-remove-users   teachers (as root): delete the trial hub's student accounts [HUB_STATE=folder]"
	@echo "make bench-hub teachers (as root): how many students this machine holds (N = 1, 5, 10, 20 on the trial hub)"
	@echo "make binder    maintainers: write .binder/requirements.txt (Binder's and conda's pins) from constraints.txt"

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "These lessons need Python 3.11 or newer; $(PYTHON) is " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@touch $@

$(VENV)/.installed-lab: $(VENV)/.python-ok pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed-lab
	$(PIP) install --quiet -c constraints.txt -e '.[test]'
	@touch $@

setup: $(VENV)/.installed-lab
setup-test: $(VENV)/.installed-test

lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=. --port=$(PORT) $(ROOT_FLAG) notebooks/student/00_start_here.ipynb

test: setup-test hub-setup
	$(PY) -m pytest -n $(JOBS) --dist loadfile --durations=15 tests \
	    --nbval notebooks --nbval-sanitize-with tests/sanitize.cfg --nbval-current-env
	@echo "Browser screenshots (one per lesson): $(CURDIR)/tests/screenshots/"

editions: setup
	$(PY) -m teach editions $(ARGS)

execute: setup
	$(PY) -m teach execute
	$(PY) -m teach editions $(ARGS)

site: setup-test
	$(PY) -m teach site _site $(if $(REPO),--repo "$(REPO)") $(if $(HUB),--hub "$(HUB)") $(if $(BRANCH),--branch "$(BRANCH)")
	@echo "Open $(CURDIR)/_site/index.html"

bench: setup-test
	$(PY) bench/run.py --suite --setup $(ARGS)
	$(PY) bench/grading.py --students 30 --json bench/grading.json
	$(PY) bench/times.py

link: setup
	@$(PY) -m teach link --hub "$(HUB)" --repo "$(REPO)" --branch "$(or $(BRANCH),main)"

# Teachers: the class copy (students' repository) and the nbgrader course folder, both from course.toml.
COURSE ?= course.toml
release: setup-class
	$(PY) -m teach release --course $(COURSE) --out $(or $(OUT),class-copy) $(ARGS)

course: setup-class
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m teach course --course $(COURSE) --out $(or $(OUT),course) $(ARGS)

grade: setup-class
	$(PY) -m teach grade $(ASSIGNMENT) --course-dir $(or $(OUT),course) $(ARGS)

# After grading: the class report of one assignment, and the grades for the school's system (see the README)
report: setup-class
	@test -n "$(ASSIGNMENT)" || { echo "error: say which assignment, e.g. make report ASSIGNMENT=lesson01" >&2; exit 2; }
	$(PY) -m teach report $(ASSIGNMENT) --course-dir $(or $(OUT),course) $(ARGS)

export: setup-class
	$(PY) -m teach export --lms $(or $(LMS),csv) --course-dir $(or $(OUT),course) $(if $(ROSTER),--roster "$(ROSTER)") $(ARGS)

# nbgrader itself, in the course folder, from this project's environment (no activation needed):
#   make nbgrader ARGS="generate_assignment lesson01"     make nbgrader ARGS="export --to grades.csv"
nbgrader: setup-class
	cd $(or $(OUT),course) && PATH="$(CURDIR)/$(VENV)/bin:$$PATH" "$(CURDIR)/$(VENV)/bin/nbgrader" $(ARGS)

# formgrader on the course folder: a JupyterLab server on loopback only; open the URL with the token it prints
FORMGRADER_PORT ?= 8890
formgrader: setup-class
	cd $(or $(OUT),course) && PATH="$(CURDIR)/$(VENV)/bin:$$PATH" "$(CURDIR)/$(VENV)/bin/jupyter" lab --ip=127.0.0.1 \
	    --port=$(FORMGRADER_PORT) --ServerApp.root_dir=. --ServerApp.default_url=/formgrader $(ROOT_FLAG) $(ARGS)

# a platform's zip of submissions in course/downloaded/ASSIGNMENT/archive/ -> course/submitted/ (course.toml's [collect])
collect: setup-class
	cd $(or $(OUT),course) && PATH="$(CURDIR)/$(VENV)/bin:$$PATH" "$(CURDIR)/$(VENV)/bin/nbgrader" zip_collect $(ASSIGNMENT) $(ARGS)

late: setup-class
	$(PY) -m teach late $(ASSIGNMENT) --course-dir $(or $(OUT),course)

$(VENV)/.installed-class: $(VENV)/.installed-lab
	$(PIP) install --quiet -c constraints.txt -e '.[class]'
	@touch $@

setup-class: $(VENV)/.installed-class

# The trial JupyterHub (hub/): the students' environment (.hub/venv) and the proxy (npm, hub/node_modules).
# `make test` needs them for tests/test_hub.py; without npm the set-up fails and that test says so.
HUB_PORT ?= 8000
STUDENTS ?= 3
hub-setup: setup-class
	-@$(PY) -m teach hub setup

HUB_STATE ?=
STATE_FLAG := $(if $(HUB_STATE),--state "$(HUB_STATE)",)
hub: hub-setup
	$(PY) -m teach hub start --port $(HUB_PORT) --students $(STUDENTS) $(STATE_FLAG) $(ARGS)

# without HUB_STATE: the folder the last `make hub` used (recorded in .hub/last-state)
hub-stop:
	@$(PY) -m teach hub stop $(STATE_FLAG) $(ARGS)

hub-remove-users:
	@$(PY) -m teach hub remove-users $(STATE_FLAG) $(ARGS)

# capacity: N students at once on the trial hub, each running lesson 01 (as root; writes bench/capacity.json)
bench-hub: hub-setup
	$(PY) bench/capacity.py $(ARGS)

# Binder's and conda's pins (.binder/requirements.txt) from constraints.txt; rerun after changing the pins
binder: setup-class
	$(PY) -m teach pins

clean-venv:
	rm -rf $(VENV)
