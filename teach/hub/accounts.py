"""The trial hub's unix accounts: created for trial students with random passwords, removed by name from the passwords file."""

from __future__ import annotations

import json
import pwd
import secrets
import subprocess
from pathlib import Path

from teach.hub import HubError


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def ensure_users(names: list[str], passwords_file: Path, log=print) -> dict[str, str]:
    """Create the trial accounts that do not exist yet, each with a random password kept in ``passwords_file`` (mode 600)."""
    known: dict[str, str] = json.loads(passwords_file.read_text()) if passwords_file.exists() else {}
    for name in names:
        if name in known and user_exists(name):
            continue
        if user_exists(name) and name not in known:
            raise HubError(
                f"A unix account named {name!r} already exists and was not made for this trial hub, so its password is not "
                f"known here. Choose another prefix: make hub PREFIX=class-"
            )
        # recorded before the account exists: a start stopped halfway (Ctrl-C, make hub-stop) leaves no account
        # that `remove-users` does not know about
        known[name] = secrets.token_urlsafe(9)
        _write(passwords_file, known)
        subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", "--comment", "trial student (make hub)", name], check=True, capture_output=True)
        subprocess.run(["chpasswd"], input=f"{name}:{known[name]}\n", text=True, check=True, capture_output=True)
        home = Path(pwd.getpwnam(name).pw_dir)
        home.chmod(0o700)  # one student cannot read another's work
        log(f"created the unix account {name}")
    _write(passwords_file, known)
    return {name: known[name] for name in names}


def _write(passwords_file: Path, known: dict[str, str]) -> None:
    passwords_file.parent.mkdir(parents=True, exist_ok=True)
    passwords_file.touch(mode=0o600)
    passwords_file.chmod(0o600)
    passwords_file.write_text(json.dumps(known, indent=1) + "\n")


def remove_users(passwords_file: Path, log=print) -> list[str]:
    """Delete the accounts this hub created (listed in ``passwords_file``) with their homes."""
    if not passwords_file.exists():
        return []
    removed = []
    for name in json.loads(passwords_file.read_text()):
        if user_exists(name):
            result = subprocess.run(["userdel", "--remove", name], capture_output=True, text=True)
            if result.returncode not in (0, 12):  # 12: the home's mail spool was missing
                raise HubError(f"Could not remove the account {name}: {result.stderr.strip()} (stop the hub first: make hub-stop)")
            removed.append(name)
            log(f"removed the unix account {name} and its home")
    passwords_file.unlink()
    return removed


