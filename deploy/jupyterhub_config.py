"""The course's JupyterHub: one machine (a lab PC or a small server), local Unix users, nbgrader's exchange.

Start it with `make hub` or `sudo python -m grader hub` (which first runs `python -m grader hub
setup`: users, exchange, per-role configuration, the instructor's course folder). Everything that
differs between machines is read from the site folder the set-up wrote (`CONVNETS_HUB_SITE`,
default /srv/convnets-hub): site.json names the instructor and the students.

- Authentication: PAM, i.e. the machine's own accounts and passwords (what a lab PC has). A
  university swaps in its single sign-on: LTI 1.3 from the LMS (jupyterhub-ltiauthenticator),
  OAuth / OpenID Connect (oauthenticator: GenericOAuthenticator for Shibboleth/Keycloak/Azure AD),
  or LDAP (jupyterhub-ldapauthenticator); see book/instructors.md.
- Spawner: LocalProcessSpawner, each user's JupyterLab runs as that Unix user in their home folder.
  At scale: Zero to JupyterHub on Kubernetes (KubeSpawner), or DockerSpawner / SystemdSpawner for
  per-user memory and CPU limits on one server.
- nbgrader: students get the Assignments and Courses panels; formgrader and the "create assignment"
  tool are enabled for the instructor only (per-role Jupyter configuration folders). The exchange
  is a folder on this machine with the permissions nbgrader documents (world-writable, so each user's
  own uid writes it); with several single-user hosts it must be a shared file system.
"""
import json
import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821

SITE = Path(os.environ.get("CONVNETS_HUB_SITE", "/srv/convnets-hub"))
REPO = Path(__file__).resolve().parents[1]
site = json.loads((SITE / "site.json").read_text())
instructors, students = set(site["instructors"]), set(site["students"])
port = int(os.environ.get("CONVNETS_HUB_PORT", site.get("port", 8000)))

c.JupyterHub.ip = os.environ.get("CONVNETS_HUB_IP", "127.0.0.1")
c.JupyterHub.port = port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = port + 1
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 2}"
c.ConfigurableHTTPProxy.command = [shutil.which("configurable-http-proxy") or "configurable-http-proxy"]
c.ConfigurableHTTPProxy.pid_file = str(SITE / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{SITE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(SITE / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True

# --- who may log in ------------------------------------------------------------------------
c.JupyterHub.authenticator_class = os.environ.get("CONVNETS_HUB_AUTH", "pam")
c.Authenticator.allowed_users = instructors | students
c.Authenticator.admin_users = instructors
c.PAMAuthenticator.open_sessions = False          # no login session per spawn (containers, no systemd-logind)

# --- what each user runs: JupyterLab from the course's environment, as their own Unix user ----
BIN = Path(sys.executable).parent
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 180
c.Spawner.environment = {
    "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
    "PYTHONPATH": str(REPO),                       # the course's `grader` package (and its checks)
    "TF_CPP_MIN_LOG_LEVEL": "3",
}


def per_role_config(spawner):
    """Instructors and students get their own Jupyter configuration folder (extensions, nbgrader)."""
    role = "instructor" if spawner.user.name in instructors else "student"
    spawner.environment["JUPYTER_CONFIG_PATH"] = str(SITE / "jupyter" / role)


c.Spawner.pre_spawn_hook = per_role_config

# A service token for scripted administration (the end-to-end test; unset in normal use).
if os.environ.get("CONVNETS_HUB_ADMIN_TOKEN"):
    c.JupyterHub.services = [{"name": "course-admin", "api_token": os.environ["CONVNETS_HUB_ADMIN_TOKEN"]}]
    c.JupyterHub.load_roles = [{"name": "course-admin", "services": ["course-admin"],
                                "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"]}]
