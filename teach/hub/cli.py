"""The trial hub's command line: ``python -m teach hub setup | start | stop | remove-users`` (``make hub``, ``make hub-stop``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from teach.hub import env
from teach.hub.accounts import remove_users
from teach.hub.launcher import DEFAULT_CLASS_COPY, DEFAULT_EXCHANGE, DEFAULT_STATE, REPO_NAME, HubError, resolve_state, start, stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teach hub", description="A trial JupyterHub for a class on this machine.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="create the students' environment and install the proxy").add_argument("--venv", default=str(env.DEFAULT_VENV))
    st = sub.add_parser("start", help="start the hub (stops on Ctrl-C or `python -m teach hub stop`)")
    st.add_argument("--port", type=int, default=8000)
    st.add_argument("--students", type=int, default=3, help="how many trial students (unix accounts PREFIX1, PREFIX2, ...)")
    st.add_argument("--prefix", default="trial-student")
    st.add_argument("--state", default=str(DEFAULT_STATE), help="the hub's database, log and passwords")
    st.add_argument("--venv", default=str(env.DEFAULT_VENV))
    st.add_argument("--exchange", default=str(DEFAULT_EXCHANGE), help="nbgrader's exchange folder")
    st.add_argument("--course-id", default=None, help="nbgrader course id (default: course.toml's)")
    st.add_argument("--class-copy", default=str(DEFAULT_CLASS_COPY), help="the class copy to serve (a git work tree, from make release)")
    st.add_argument("--repo-name", default=REPO_NAME, help="the class repository's name, which is also the folder nbgitpuller clones into")
    sp = sub.add_parser("stop", help="stop the hub started from --state (default: the folder the last start used)")
    sp.add_argument("--state", default=None)
    sp.add_argument("--timeout", type=float, default=60)
    ru = sub.add_parser("remove-users", help="delete the trial accounts (and their homes) made from --state (default: the last start's)")
    ru.add_argument("--state", default=None)
    args = parser.parse_args(argv)
    try:
        if args.command == "setup":
            env.setup_venv(Path(args.venv))
            env.setup_proxy()
            print(f"Students' environment: {args.venv}; proxy: {env.PROXY}")
            return 0
        if args.command == "start":
            if args.students < 1:
                raise HubError("--students must be 1 or more.")
            return start(args)
        if args.command == "stop":
            return stop(args)
        state = resolve_state(args.state)
        passwords = state / "passwords.json"
        if not passwords.exists():
            print(f"No trial accounts recorded in {state} (no passwords.json): nothing removed. "
                  "Give the hub's folder if it was another: make hub-remove-users HUB_STATE=/srv/sino-soviet-1957-hub")
            return 0
        removed = remove_users(passwords)
        print(f"Removed {len(removed)} trial account(s) made from {state}" + (f": {', '.join(removed)}." if removed else "."))
        return 0
    except (HubError, env.SetupError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
