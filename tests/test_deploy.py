"""The deployment files agree with the project: Binder's pins, the Zero to JupyterHub values, the TLJH recipe.

No cluster here: the files are parsed and compared with pyproject.toml, constraints.txt, the class
copy's link (``python -m teach.course link``), the trial hub's settings and the measured capacity
(bench/capacity.json, written by bench/capacity.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import urllib.parse
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from teach.hub import env, pins  # noqa: E402
from teach.hub.launcher import DEFAULT_EXCHANGE, REPO_NAME  # noqa: E402

Z2JH = ROOT / "deploy" / "z2jh" / "config.yaml"
TLJH = ROOT / "deploy" / "tljh" / "install.sh"


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _z2jh() -> dict:
    return yaml.safe_load(Z2JH.read_text(encoding="utf-8"))


def _tljh_vars() -> dict[str, str]:
    found = {}
    for line in TLJH.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Z_]+)=(\S+)", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def _bytes(size: str) -> int:
    number, unit = re.fullmatch(r"([\d.]+)([KMGT]?)i?", str(size)).groups()
    return int(float(number) * 1024 ** " KMGT".index(unit or " "))


def _class_repo() -> str:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(_z2jh()["singleuser"]["defaultUrl"]).query)
    return query["repo"][0]


# --------------------------------------------------------------------------- Binder and conda


def test_binder_requirements_are_generated_from_constraints_and_up_to_date():
    text = (pins.BINDER / "requirements.txt").read_text(encoding="utf-8")
    assert text == pins.binder_requirements(), ".binder/requirements.txt is out of date: run `make binder`"
    assert (pins.BINDER / "runtime.txt").read_text() == "python-3.11\n"


def test_binder_pins_are_exactly_the_constraints_and_cover_the_project():
    constraints = set((ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines())
    lines = [l for l in (pins.BINDER / "requirements.txt").read_text().splitlines() if l and not l.startswith("#")]
    assert lines and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[\w.]+", l) for l in lines), "exact pins only"
    assert set(lines) <= constraints, f"not as constraints.txt pins them: {sorted(set(lines) - constraints)}"
    names = {pins._norm(l.split("==")[0]) for l in lines}
    project = _project()
    for requirement in project["dependencies"] + project["optional-dependencies"]["class"]:
        assert pins._norm(re.split(r"[<>=!~ \[;]", requirement)[0]) in names, f"{requirement} is missing from Binder's pins"
    assert not names & {"pytest", "playwright", "nbval", "hypothesis"}, "test tools do not belong in a class's environment"


def test_python_version_is_the_same_everywhere():
    assert _project()["requires-python"] == ">=3.11"
    assert "- python=3.11" in (ROOT / "environment.yml").read_text()
    assert (pins.BINDER / "runtime.txt").read_text().strip() == "python-3.11"


def test_postbuild_installs_the_package_and_disables_the_teachers_extensions():
    text = (pins.BINDER / "postBuild").read_text(encoding="utf-8")
    assert (pins.BINDER / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"
    assert "pip install --no-deps -e ." in text
    for ext in env.TEACHER_LAB_EXTENSIONS + env.TEACHER_SERVER_EXTENSIONS:
        assert ext in text, f"postBuild leaves {ext} on for students"
    assert subprocess.run(["bash", "-n", str(pins.BINDER / "postBuild")]).returncode == 0


def test_readme_has_a_binder_badge_that_opens_the_student_edition():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"https://mybinder\.org/v2/gh/[^)>\s]+", readme)
    assert links, "no Binder link in the README"
    assert "https://mybinder.org/badge_logo.svg" in readme
    for link in links:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
        path = query["labpath"][0]
        assert path == "notebooks/student/00_start_here.ipynb" and (ROOT / path).exists(), link


# --------------------------------------------------------------------------- Zero to JupyterHub


def test_z2jh_image_is_the_class_copy_at_the_project_version():
    values = _z2jh()
    image = values["singleuser"]["image"]
    assert image["tag"] == _project()["version"]
    assert image["name"].rsplit("/", 1)[-1] == _class_repo().rsplit("/", 1)[-1] == REPO_NAME
    text = Z2JH.read_text()
    assert f"--image-name {image['name']}:{image['tag']}" in text and "repo2docker" in text, "the build command names another image"
    assert f"{_class_repo()}\n" in text, "the build command builds another repository"


def test_z2jh_default_url_is_the_link_make_link_prints():
    default = _z2jh()["singleuser"]["defaultUrl"]
    link = subprocess.run(
        [sys.executable, "-m", "teach.course", "link", "--hub", "https://hub.example.edu", "--repo", _class_repo()],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1]
    assert urllib.parse.urlsplit(link).path == "/hub/user-redirect/git-pull"
    assert urllib.parse.urlsplit(default).path == "/git-pull"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(default).query) == urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)


def test_z2jh_kernels_import_helpers_from_the_students_clone():
    single = _z2jh()["singleuser"]
    urlpath = urllib.parse.parse_qs(urllib.parse.urlsplit(single["defaultUrl"]).query)["urlpath"][0]
    folder = urlpath.split("/")[2]
    assert single["extraEnv"]["PYTHONPATH"] == f"/home/jovyan/{folder}"
    mounts = {m["mountPath"] for m in single["storage"]["extraVolumeMounts"]}
    assert str(DEFAULT_EXCHANGE) in mounts, "nbgrader's exchange is not mounted where nbgrader looks"


def test_z2jh_limits_come_from_the_measurement():
    single = _z2jh()["singleuser"]
    measured = json.loads((ROOT / "bench" / "capacity.json").read_text())
    peak_mb = max(r["peak_mb_per_student"]["max"] for r in measured["rounds"])
    guarantee, limit = _bytes(single["memory"]["guarantee"]), _bytes(single["memory"]["limit"])
    assert guarantee >= peak_mb * 2**20, f"memory guarantee {single['memory']['guarantee']} is below the measured {peak_mb:.0f} MB per student"
    assert guarantee < limit <= 4 * guarantee
    assert 0 < single["cpu"]["guarantee"] <= single["cpu"]["limit"]
    assert _z2jh()["cull"]["enabled"] is True
    text = Z2JH.read_text()
    assert f"peaked at {peak_mb:.0f} MB" in text or f"peaked at {round(peak_mb, -1):.0f} MB" in text, "the comment quotes another measurement"


# --------------------------------------------------------------------------- The Littlest JupyterHub


def test_tljh_recipe_matches_the_z2jh_values():
    values, single = _tljh_vars(), _z2jh()["singleuser"]
    assert values["CLASS_REPO"] == _class_repo()
    assert values["MEMORY_LIMIT"] == single["memory"]["limit"]
    assert values["CPU_LIMIT"] == str(single["cpu"]["limit"])
    assert int(values["IDLE_TIMEOUT"]) == _z2jh()["cull"]["timeout"]
    text = TLJH.read_text()
    assert "/.binder/requirements.txt" in text, "TLJH installs other pins than Binder"
    assert f"/home/jupyter-{{spawner.user.name}}/{REPO_NAME}" in text
    assert "chmod 1777 /srv/nbgrader/exchange" in text
    assert subprocess.run(["bash", "-n", str(TLJH)]).returncode == 0
