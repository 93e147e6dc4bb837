# The trial JupyterHub's configuration (read by `jupyterhub -f teach/hub/jupyterhub_config.py`).
# `python -m teach hub start` (make hub) writes the settings file this reads; see teach/hub/launcher.py and the README.
#
# Authenticator: PAM with local unix accounts created for the trial (one per student), limited to exactly
# those accounts. Spawner: LocalProcessSpawner, which starts each student's server as that student's unix
# user. Real accounts are what nbgrader's exchange expects (it uses file ownership and permissions of a
# shared folder), and they keep one student out of another's files.
import json
import os

settings = json.loads(open(os.environ["SINO_HUB_SETTINGS"], encoding="utf-8").read())
c = get_config()  # noqa: F821 - provided by JupyterHub

c.JupyterHub.bind_url = f"http://127.0.0.1:{settings['port']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [settings["proxy"]]
c.ConfigurableHTTPProxy.debug = False
# the database (token hashes) and the cookie secret in a folder only root can open
c.JupyterHub.db_url = f"sqlite:///{settings['state']}/private/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{settings['state']}/private/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{settings['state']}/jupyterhub.pid"
c.ConfigurableHTTPProxy.pid_file = f"{settings['state']}/proxy.pid"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# PAM, with repeated failed logins slowed (JupyterHub has no limit of its own): teach/hub/throttle.py
from jupyterhub.auth import PAMAuthenticator  # noqa: E402

from teach.hub.throttle import throttled  # noqa: E402

c.JupyterHub.authenticator_class = throttled(PAMAuthenticator)
c.PAMAuthenticator.open_sessions = False  # no login sessions (systemd-logind) needed for a server process
c.Authenticator.allowed_users = set(settings["students"])
c.Authenticator.admin_users = set()
c.Authenticator.delete_invalid_users = True

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [settings["venv"] + "/bin/jupyterhub-singleuser"]
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.args = ["--ServerApp.open_browser=False"]
folder = settings["class_folder"]
c.Spawner.environment = {
    # the student's kernels import `helpers` from the class copy nbgitpuller cloned into their home,
    # never from the teacher's repository (the students' environment does not contain it)
    "PYTHONPATH": lambda spawner: os.path.join(os.path.expanduser(f"~{spawner.user.name}"), folder),
    # nbgrader's exchange and course id for the students' Assignments panel and `nbgrader fetch/submit`
    "JUPYTER_CONFIG_PATH": settings["student_config"],
}
# No memory limit here: LocalProcessSpawner cannot enforce one (TLJH's SystemdSpawner and Kubernetes do,
# see deploy/). On this machine one student's runaway server can take the memory of the others.

# a service token for `python -m teach hub` itself and the capacity benchmark (start servers, make user tokens)
c.JupyterHub.services = [{"name": "class-admin", "api_token": settings["service_token"]}]
c.JupyterHub.load_roles = [
    {
        "name": "class-admin",
        "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "read:users"],
        "services": ["class-admin"],
    }
]
