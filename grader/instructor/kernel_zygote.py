"""Warm kernels: a pre-imported process that forks each grading kernel into a bubblewrap sandbox.

Starting a kernel and importing numpy, scipy.signal and the grader costs about 2.5 CPU-seconds,
most of a chapter-1 submission's grading. The zygote (one per worker, root, outside any sandbox,
holding no secrets) imports them once. For each kernel the sandbox launcher starts a bubblewrap
sandbox exactly as for a cold kernel, but running only a placeholder, and asks the zygote for a
kernel inside it. The zygote forks; the child joins the sandbox's namespaces (what nsenter does),
sets the resource limits, forks again so that the kernel is inside the sandbox's PID namespace,
drops to the sandbox uid (what setpriv does) and starts ipykernel. The namespaces, the mounts and
the lifetime (killing bubblewrap kills everything in its PID namespace) stay bubblewrap's.

Usage: ``python kernel_zygote.py SOCKET SETTINGS.json MODULE [MODULE ...]`` in the sandbox's
environment (not -I: the kernels must see the interpreter as a cold kernel does). Kept free of
imports from the grader package until it preloads: it must trust nothing it has not imported.
"""
import ctypes
import importlib
import importlib.util
import json
import os
import random
import resource
import signal
import socket
import sys

NAMESPACES = {"ipc": 0x08000000, "uts": 0x04000000, "net": 0x40000000, "cgroup": 0x02000000,
              "pid": 0x20000000, "mnt": 0x00020000}   # mnt last: it changes what /proc shows
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        raise OSError(ctypes.get_errno(), f"{what}: {os.strerror(ctypes.get_errno())}")


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def preload(modules: list[str]) -> list[str]:
    """Import what every kernel would import; returns what could not be (it is imported per kernel)."""
    failed = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing module is imported (and fails) in the kernel as usual
            failed.append(name)
    if threads() != 1:   # forking a multi-threaded process can deadlock its children: refuse
        raise RuntimeError(f"preloading {modules} started {threads() - 1} threads; warm kernels need none")
    return failed


def _join_sandbox(holder: int) -> None:
    """Enter every namespace of the bubblewrap process ``holder`` (this process must be single-threaded)."""
    fds = {}
    for name in NAMESPACES:
        if os.readlink(f"/proc/{holder}/ns/{name}") != os.readlink(f"/proc/self/ns/{name}"):
            fds[name] = os.open(f"/proc/{holder}/ns/{name}", os.O_RDONLY)
    if "mnt" not in fds or "net" not in fds or "pid" not in fds:
        raise RuntimeError(f"process {holder} is not a sandbox (namespaces {sorted(fds)})")
    for name, fd in fds.items():
        _check(_libc.setns(fd, NAMESPACES[name]), f"setns {name}")
        os.close(fd)


def _drop_privileges(uid: int) -> None:
    """setpriv --reuid --regid --clear-groups --bounding-set=-all --inh-caps=-all --no-new-privs."""
    cap = 0
    while _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
        cap += 1
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)   # leaving uid 0 clears the permitted, effective and ambient sets
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
    for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        if int(status[key].strip(), 16) != 0:
            raise RuntimeError(f"{key} is not empty after dropping privileges")
    if status["NoNewPrivs"].strip() != "1" or os.getuid() == 0:
        raise RuntimeError("privileges were not dropped")


def _set_limits(limits: dict) -> None:
    mb = 1024 * 1024
    for name, value in (("RLIMIT_AS", limits["memory_mb"] * mb), ("RLIMIT_CPU", limits["cpu_seconds"]),
                        ("RLIMIT_NPROC", limits["processes"]), ("RLIMIT_FSIZE", limits["file_mb"] * mb),
                        ("RLIMIT_CORE", 0)):
        resource.setrlimit(getattr(resource, name), (value, value))


def _become_kernel(request: dict, settings: dict) -> None:
    """In the sandbox, as the sandbox uid: reset what a fresh interpreter would have, run ipykernel."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    os.setsid()
    home = settings["home"]
    os.chdir(home)
    _set_limits(settings["limits"])
    _drop_privileges(request["uid"])
    os.environ.clear()
    os.environ.update(settings["env"], PWD=home)
    # as `python -m ipykernel_launcher` leaves them; IPython then puts '' before site-packages
    sys.path[:] = [p for p in sys.path if p]
    sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, "-f", request["connection_file"]]
    random.seed()                                 # the forked children must not share random streams
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    from ipykernel.kernelapp import IPKernelApp
    app = IPKernelApp.instance()
    app.initialize(sys.argv[1:])
    app.start()


def _child(conn: socket.socket, request: dict, settings: dict) -> None:
    """Forked per kernel: join the sandbox, fork the kernel into its PID namespace, report its end."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    _join_sandbox(request["holder"])
    pid = os.fork()
    if pid == 0:
        try:
            conn.close()
            os.dup2(log, 1)
            os.dup2(log, 2)
            os.closerange(3, 65536)
            devnull = os.open("/dev/null", os.O_RDONLY)
            os.dup2(devnull, 0)
            _become_kernel(request, settings)
            os._exit(0)
        except BaseException as exc:  # noqa: BLE001 - say why on the kernel's log, never return
            os.write(2, f"warm kernel: {type(exc).__name__}: {exc}\n".encode())
            os._exit(70)
    conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    conn.sendall(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode() + b"\n")


def serve(path: str, settings: dict, modules: list[str]) -> None:
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)      # dies with its grading worker
    failed = preload(modules)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o600)
    server.listen(8)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)                # the children reap themselves
    print(json.dumps({"ready": True, "not_preloaded": failed}), flush=True)
    while True:
        conn, _ = server.accept()
        try:
            request = json.loads(conn.makefile("rb").readline())
        except ValueError:
            conn.close()
            continue
        if os.fork() == 0:
            code = 0
            try:
                server.close()
                _child(conn, request, settings)
            except BaseException as exc:  # noqa: BLE001 - tell the launcher, which falls back to a cold kernel
                try:
                    conn.sendall(json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode() + b"\n")
                except OSError:
                    pass
                code = 1
            os._exit(code)
        conn.close()


if __name__ == "__main__":
    del sys.path[0]            # this script's folder: a kernel would not have it
    serve(sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3:])
