#!/bin/bash
# The Littlest JupyterHub (one server, up to about 100 students) for a class using these lessons.
# Run on a fresh Ubuntu server as a user with sudo, after pushing the class copy (`make release`):
#   bash deploy/tljh/install.sh
# tests/test_deploy.py checks the values below against the project and deploy/z2jh/config.yaml.
set -euo pipefail

CLASS_REPO=https://github.com/ORG/sino-soviet-1957-class   # the class copy's repository
BRANCH=main
ADMIN=teacher                                              # the teacher's hub account
# limits per student, from bench/capacity.py (README, "How many students a machine holds");
# TLJH's SystemdSpawner enforces them with systemd (cgroups)
MEMORY_LIMIT=1G
CPU_LIMIT=1
IDLE_TIMEOUT=3600

curl -fsSL https://tljh.jupyter.org/bootstrap.py | sudo python3 - --admin "$ADMIN"

USER_PY=/opt/tljh/user/bin/python
if ! sudo "$USER_PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "TLJH's user environment has $("$USER_PY" -V); the lessons' pins need Python 3.11 or newer." >&2
    echo "Install a TLJH release whose user environment is 3.11+, or: sudo /opt/tljh/user/bin/mamba install -y python=3.11" >&2
    exit 1
fi
# the same pins as Binder and the Zero to JupyterHub image (.binder/requirements.txt of the class copy)
curl -fsSL "${CLASS_REPO/github.com/raw.githubusercontent.com}/$BRANCH/.binder/requirements.txt" -o /tmp/class-requirements.txt
sudo "$USER_PY" -m pip install -r /tmp/class-requirements.txt
for ext in @jupyter/nbgrader:formgrader @jupyter/nbgrader:create-assignment @jupyter/nbgrader:course-list; do
    sudo /opt/tljh/user/bin/jupyter labextension disable --level=sys_prefix "$ext"
done

# kernels import `helpers` from each student's own clone (TLJH's unix accounts are jupyter-<name>)
sudo tee /opt/tljh/config/jupyterhub_config.d/sino-soviet-1957.py >/dev/null <<'PY'
c.Spawner.environment.update({"PYTHONPATH": lambda spawner: f"/home/jupyter-{spawner.user.name}/sino-soviet-1957-class"})
PY
# nbgrader's exchange: real unix accounts, as nbgrader expects
sudo mkdir -p /srv/nbgrader/exchange
sudo chmod 1777 /srv/nbgrader/exchange

sudo tljh-config set limits.memory "$MEMORY_LIMIT"
sudo tljh-config set limits.cpu "$CPU_LIMIT"
sudo tljh-config set services.cull.timeout "$IDLE_TIMEOUT"
sudo tljh-config set user_environment.default_app jupyterlab
sudo tljh-config reload
echo "Students' link: make link HUB=https://YOUR-SERVER REPO=$CLASS_REPO"
