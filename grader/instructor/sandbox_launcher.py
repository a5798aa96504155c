"""Kernel launcher of the grading sandbox (runs as root, outside the sandbox, before each kernel).

Usage (the kernelspec's argv): ``python -I sandbox_launcher.py SETTINGS.json {connection_file} [kernel args]``.
Hands the connection file, the runtime folder and the work folder to the sandbox's unprivileged
uid, then either
- cold: sets the resource limits and execs ``timeout … bwrap … setpriv … python -m ipykernel_launcher``;
- warm (``GRADER_ZYGOTE`` names a kernel zygote's socket): starts the same bubblewrap sandbox
  around a placeholder, has the zygote fork a pre-imported kernel into it (kernel_zygote.py), and
  stays as the kernel's stand-in for jupyter_client until the kernel ends or the wall time is up.
  Any failure there falls back to cold.
Kept free of imports from the grader package: it must start fast and trust nothing.
"""
import json
import os
import resource
import select
import signal
import socket
import subprocess
import sys
import time


def ancestors(path):
    parts = path.strip("/").split("/")[:-1]
    return ["/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def bwrap_args(settings, runtime, work):
    """bubblewrap up to its command: no network, own PID/IPC/UTS namespaces, read-only but work and /tmp."""
    limits = settings["limits"]
    args = [settings["bwrap"], "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
    for key, value in settings["env"].items():
        args += ["--setenv", key, value]
    # The scratch /tmp first: read-only binds below may live under /tmp (e.g. a clone in /tmp).
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(limits["tmp_mb"] * 1024 * 1024), "--perms", "01777", "--tmpfs", "/tmp"]
    for directory in settings["dirs"]:
        args += ["--perms", "0755", "--dir", directory]
    for target in settings["symlinks"]:
        args += ["--symlink", *target]
    for path in settings["read_only"]:
        args += ["--ro-bind", path, path]
    args += [a for d in ancestors(runtime) for a in ("--perms", "0755", "--dir", d)] + ["--bind", runtime, runtime]
    args += [a for d in ancestors(settings["home"]) for a in ("--perms", "0755", "--dir", d)]
    return args + ["--bind", work, settings["home"], "--chdir", settings["home"]]


def setpriv_args(uid):
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
            "--bounding-set=-all", "--no-new-privs"]


def cold(settings, runtime, work, uid, connection_file, extra):
    limits = settings["limits"]
    mb = 1024 * 1024
    for name, value in (("RLIMIT_AS", limits["memory_mb"] * mb), ("RLIMIT_CPU", limits["cpu_seconds"]),
                        ("RLIMIT_NPROC", limits["processes"]), ("RLIMIT_FSIZE", limits["file_mb"] * mb),
                        ("RLIMIT_CORE", 0)):
        resource.setrlimit(getattr(resource, name), (value, value))
    args = ["timeout", "--kill-after=5", str(limits["wall_seconds"]), *bwrap_args(settings, runtime, work),
            *setpriv_args(uid), settings["python"], "-m", "ipykernel_launcher", "-f", connection_file, *extra]
    os.execvp("timeout", args)


def _sandbox_pid(bwrap_pid, holder):
    """Host pid of the placeholder once bubblewrap has set the sandbox up and exec'd it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and holder.poll() is None:
        try:
            children = open(f"/proc/{bwrap_pid}/task/{bwrap_pid}/children").read().split()
            for pid in children:
                if open(f"/proc/{pid}/comm").read().strip() == "sleep":
                    return int(pid)
        except OSError:
            pass
        time.sleep(0.002)
    raise RuntimeError("the sandbox did not start")


def warm(settings, runtime, work, uid, connection_file, zygote):
    """Returns only if the zygote could not start the kernel (the caller goes cold)."""
    read_info, write_info = os.pipe()
    holder = subprocess.Popen([*bwrap_args(settings, runtime, work), "--info-fd", str(write_info),
                               *setpriv_args(uid), "sleep", "infinity"], pass_fds=(write_info,))
    os.close(write_info)
    stop = lambda *_: (holder.kill(), holder.wait(), sys.exit(0))  # noqa: E731 - the PID namespace dies with it
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # kernel interrupts are messages, not signals
    try:
        info = json.loads(os.fdopen(read_info).read() or "{}")
        pid = _sandbox_pid(info["child-pid"], holder)
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(zygote)
        conn.sendall(json.dumps({"holder": pid, "uid": uid, "connection_file": connection_file,
                                 "log": os.path.join(os.path.dirname(work), "kernel.log")}).encode() + b"\n")
        replies = conn.makefile("rb")
        first = json.loads(replies.readline() or b"{}")
        if "pid" not in first:
            raise RuntimeError(first.get("error", "no answer"))
    except Exception as exc:  # noqa: BLE001
        print(f"sandbox: no warm kernel ({type(exc).__name__}: {exc}); starting a cold one", file=sys.stderr)
        holder.kill()
        holder.wait()
        return
    deadline = time.monotonic() + settings["limits"]["wall_seconds"]
    while time.monotonic() < deadline and holder.poll() is None:
        ready, _, _ = select.select([conn], [], [], min(1.0, max(deadline - time.monotonic(), 0)))
        if ready:
            break   # the kernel ended (or the zygote went away): end the sandbox
    holder.kill()
    holder.wait()
    sys.exit(0)


def main(argv):
    settings = json.load(open(argv[1]))
    connection_file, extra = os.path.abspath(argv[2]), argv[3:]
    runtime, work = os.path.dirname(connection_file), os.environ.get("GRADER_SANDBOX_WORK", settings["work"])
    uid = int(os.environ.get("GRADER_SANDBOX_UID", settings["uid"]))
    if runtime in ("/", "/tmp", "/var/tmp", "/dev/shm") or os.path.dirname(work).startswith(runtime):
        sys.exit(f"sandbox: the connection file must be in a folder of its own, not {runtime}")
    for path in (runtime, work, connection_file):
        os.chown(path, uid, uid)
    os.umask(0o022)
    log = os.open(os.path.join(os.path.dirname(work), "kernel.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    zygote = os.environ.get("GRADER_ZYGOTE")
    if zygote and not extra:
        warm(settings, runtime, work, uid, connection_file, zygote)
    cold(settings, runtime, work, uid, connection_file, extra)


if __name__ == "__main__":
    main(sys.argv)
