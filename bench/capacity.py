"""Capacity of one machine: N students at once on the trial hub, each running lesson 01 (not a test).

``python bench/capacity.py [--students 1 5 10 20] [--lesson 01_honeymoon]`` (as root; ``make bench-hub``).

It writes the class copy (``python -m teach.course release``), starts the trial hub (``python -m teach hub
start``) with as many trial accounts as the largest N, and for each N, with fresh servers:

1. starts the N students' servers at once through the hub's REST API (what N logins do) and times it;
2. has each student's server clone the class copy through nbgitpuller's own endpoint (the link's work);
3. runs every code cell of the lesson's student edition in a kernel of that student's server, through
   the hub's proxy and the server's kernel websocket, all N at once, and times each student;
4. samples, every 0.25 s, the resident memory of every process of each student's unix account (their
   server and kernel), and of the hub and proxy.

It prints per N: the wall time until all N finished, its ratio to N = 1 in the same run, the slowest
student, peak memory per student (server + kernel), peak total, and every error any student saw; and
writes the figures to bench/capacity.json. Everything started is stopped by pid, the accounts removed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from teach.hub.client import api, pull, run_cells, wait_ready  # noqa: E402
from teach.hub.launcher import free_port  # noqa: E402


class Sampler(threading.Thread):
    """Peak resident memory per unix user (sum over their processes at one instant) and in total."""

    def __init__(self, users: list[str], hub_pids: list[int]):
        super().__init__(daemon=True)
        import pwd

        self.uids = {pwd.getpwnam(u).pw_uid: u for u in users}
        self.hub_pids = hub_pids
        self.peak_user: dict[str, float] = {u: 0.0 for u in users}
        self.peak_total = 0.0
        self.peak_hub = 0.0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            per_user = dict.fromkeys(self.uids.values(), 0.0)
            for proc in psutil.process_iter(["uids", "memory_info"]):
                try:
                    uid = proc.info["uids"].real
                    if uid in self.uids and proc.info["memory_info"]:
                        per_user[self.uids[uid]] += proc.info["memory_info"].rss / 2**20
                except (psutil.Error, AttributeError, TypeError):
                    continue
            hub = 0.0
            for pid in self.hub_pids:
                try:
                    hub += psutil.Process(pid).memory_info().rss / 2**20
                except psutil.Error:
                    pass
            for user, mb in per_user.items():
                self.peak_user[user] = max(self.peak_user[user], mb)
            self.peak_hub = max(self.peak_hub, hub)
            self.peak_total = max(self.peak_total, sum(per_user.values()) + hub)
            self._halt.wait(0.25)

    def stop(self):
        self._halt.set()
        self.join()


def one_round(base: str, admin: str, users: list[str], repo: str, folder: str, lesson: str, cells: list[str], hub_pids: list[int]) -> dict:
    sampler = Sampler(users, hub_pids)
    sampler.start()
    results: dict[str, dict] = {u: {"errors": []} for u in users}
    t0 = time.perf_counter()
    for user in users:
        api(base, admin, "POST", f"/hub/api/users/{user}/server", {})
    tokens = {}
    for user in users:
        wait_ready(base, admin, user)
        tokens[user] = api(base, admin, "POST", f"/hub/api/users/{user}/tokens", {"note": "capacity benchmark", "expires_in": 3600})["token"]
    spawn = time.perf_counter() - t0

    def student(user: str) -> None:
        try:
            events = pull(base, user, tokens[user], repo, folder)
            results[user]["errors"] += [json.dumps(e)[:300] for e in events if e.get("phase") == "error"]
            run = run_cells(base, user, tokens[user], f"{folder}/notebooks/{lesson}.ipynb", cells)
            results[user]["seconds"] = run["seconds"]
            results[user]["errors"] += run["errors"]
        except Exception as err:  # noqa: BLE001 - a benchmark reports every failure
            results[user]["errors"].append(f"{type(err).__name__}: {err}"[:300])

    t1 = time.perf_counter()
    threads = [threading.Thread(target=student, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t1
    sampler.stop()
    for user in users:
        api(base, admin, "DELETE", f"/hub/api/users/{user}/server")
    for user in users:  # wait until every server is gone before the next round
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (api(base, admin, "GET", f"/hub/api/users/{user}").get("servers") or {}):
            time.sleep(0.5)
    per_user = [sampler.peak_user[u] for u in users]
    secs = [results[u].get("seconds") for u in users if results[u].get("seconds")]
    return {
        "n": len(users), "spawn_all_seconds": spawn, "all_finished_seconds": wall,
        "student_seconds": {"median": statistics.median(secs) if secs else None, "max": max(secs) if secs else None},
        "peak_mb_per_student": {"median": statistics.median(per_user), "max": max(per_user)},
        "peak_mb_total": sampler.peak_total, "peak_mb_hub_and_proxy": sampler.peak_hub,
        "errors": {u: r["errors"] for u, r in results.items() if r["errors"]},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[1, 5, 10, 20])
    parser.add_argument("--lesson", default="01_honeymoon")
    parser.add_argument("--json", default=str(ROOT / "bench" / "capacity.json"))
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("The capacity benchmark starts the trial hub, which needs root (unix accounts per student).", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="capacity-"))
    tmp.chmod(0o755)
    prefix = f"cap{secrets.token_hex(2)}-"
    port = free_port()
    hub = None
    state = tmp / "state"
    try:
        subprocess.run([sys.executable, "-m", "teach.course", "release", "--out", str(tmp / "class-copy")], cwd=ROOT, check=True, capture_output=True)
        out = open(tmp / "hub.out", "w")
        hub = subprocess.Popen(
            [sys.executable, "-m", "teach", "hub", "start", "--port", str(port), "--state", str(state), "--students", str(max(args.students)),
             "--prefix", prefix, "--class-copy", str(tmp / "class-copy"), "--exchange", str(tmp / "exchange")],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while "Students' link" not in (tmp / "hub.out").read_text():
            if hub.poll() is not None or time.monotonic() > deadline:
                print((tmp / "hub.out").read_text(), file=sys.stderr)
                return 1
            time.sleep(0.5)
        text = (tmp / "hub.out").read_text()
        repo = re.search(r"is served to the students' servers at (\S+)", text).group(1)
        folder = repo.rsplit("/", 1)[-1]
        settings = json.loads((state / "settings.json").read_text())
        base, admin = f"http://127.0.0.1:{port}", settings["service_token"]
        import nbformat

        nb = nbformat.read(tmp / "class-copy" / "notebooks" / f"{args.lesson}.ipynb", as_version=4)
        cells = [c.source for c in nb.cells if c.cell_type == "code"]
        hub_proc = psutil.Process(hub.pid)
        rounds = []
        for n in sorted(args.students):
            hub_pids = [p.pid for p in [hub_proc, *hub_proc.children(recursive=True)] if p.uids().real == 0]
            users = [f"{prefix}{i}" for i in range(1, n + 1)]
            print(f"N = {n} ...", flush=True)
            rounds.append(one_round(base, admin, users, repo, folder, args.lesson, cells, hub_pids))
            r = rounds[-1]
            print(f"  spawn {r['spawn_all_seconds']:.1f} s, all finished {r['all_finished_seconds']:.1f} s, "
                  f"peak per student {r['peak_mb_per_student']['max']:.0f} MB, total {r['peak_mb_total']:.0f} MB, errors {len(r['errors'])}", flush=True)
    finally:
        if hub and hub.poll() is None:
            os.kill(hub.pid, signal.SIGTERM)
            try:
                hub.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(hub.pid, signal.SIGKILL)
        subprocess.run([sys.executable, "-m", "teach", "hub", "remove-users", "--state", str(state)], cwd=ROOT, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    base_wall = rounds[0]["all_finished_seconds"] if rounds else None
    print(f"\n{'N':>3}  {'spawn all (s)':>13}  {'all finished (s)':>16}  {'x N=1':>6}  {'slowest (s)':>11}  {'MB/student max':>14}  {'MB total':>8}  errors")
    for r in rounds:
        r["ratio_to_n1"] = r["all_finished_seconds"] / base_wall if base_wall else None
        print(f"{r['n']:>3}  {r['spawn_all_seconds']:>13.1f}  {r['all_finished_seconds']:>16.1f}  {r['ratio_to_n1']:>6.2f}  "
              f"{r['student_seconds']['max'] or 0:>11.1f}  {r['peak_mb_per_student']['max']:>14.0f}  {r['peak_mb_total']:>8.0f}  {sum(len(e) for e in r['errors'].values())}")
        for user, errs in r["errors"].items():
            print(f"      {user}: {errs[0]}")
    result = {"machine": {"cpus": os.cpu_count(), "memory_mb": psutil.virtual_memory().total // 2**20, "platform": platform.platform(),
                          "load_average_at_end": os.getloadavg()}, "lesson": args.lesson, "rounds": rounds}
    Path(args.json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
