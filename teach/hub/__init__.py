"""The trial JupyterHub: the launcher, its unix accounts, its git server, the students' environment, the pins."""

from teach.errors import ToolError


class HubError(ToolError, RuntimeError):
    """Something the teacher must fix; the message says what."""
