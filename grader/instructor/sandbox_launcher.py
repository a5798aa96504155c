"""Kernel launcher of the grading sandbox (runs as root, outside the sandbox, before each kernel).

Usage (the kernelspec's argv): ``python -I sandbox_launcher.py SETTINGS.json {connection_file} [kernel args]``.
Sets resource limits, hands the connection file, the runtime folder and the work folder to the
sandbox's unprivileged uid, then execs ``timeout … bwrap … setpriv … python -m ipykernel_launcher``.
Kept free of imports from the grader package: it must start fast and trust nothing.
"""
import json
import os
import resource
import sys


def ancestors(path):
    parts = path.strip("/").split("/")[:-1]
    return ["/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def main(argv):
    settings = json.load(open(argv[1]))
    connection_file, extra = os.path.abspath(argv[2]), argv[3:]
    runtime, work = os.path.dirname(connection_file), os.environ.get("GRADER_SANDBOX_WORK", settings["work"])
    uid = int(os.environ.get("GRADER_SANDBOX_UID", settings["uid"]))
    if runtime in ("/", "/tmp", "/var/tmp", "/dev/shm") or os.path.dirname(work).startswith(runtime):
        sys.exit(f"sandbox: the connection file must be in a folder of its own, not {runtime}")
    for path in (runtime, work, connection_file):
        os.chown(path, uid, uid)
    limits = settings["limits"]
    mb = 1024 * 1024
    for name, value in (("RLIMIT_AS", limits["memory_mb"] * mb), ("RLIMIT_CPU", limits["cpu_seconds"]),
                        ("RLIMIT_NPROC", limits["processes"]), ("RLIMIT_FSIZE", limits["file_mb"] * mb),
                        ("RLIMIT_CORE", 0)):
        resource.setrlimit(getattr(resource, name), (value, value))
    os.umask(0o022)
    log = os.open(os.path.join(os.path.dirname(work), "kernel.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    args = ["timeout", "--kill-after=5", str(limits["wall_seconds"]), settings["bwrap"],
            "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--clearenv"]
    for key, value in settings["env"].items():
        args += ["--setenv", key, value]
    # The scratch /tmp first: read-only binds below may live under /tmp (e.g. a clone in /tmp).
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(limits["tmp_mb"] * mb), "--tmpfs", "/tmp"]
    for directory in settings["dirs"]:
        args += ["--perms", "0755", "--dir", directory]
    for target in settings["symlinks"]:
        args += ["--symlink", *target]
    for path in settings["read_only"]:
        args += ["--ro-bind", path, path]
    args += [*[a for d in ancestors(runtime) for a in ("--perms", "0755", "--dir", d)], "--bind", runtime, runtime, *[a for d in ancestors(settings["home"]) for a in ("--perms", "0755", "--dir", d)],
             "--bind", work, settings["home"], "--chdir", settings["home"],
             "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
             "--bounding-set=-all", "--no-new-privs",
             settings["python"], "-m", "ipykernel_launcher", "-f", connection_file, *extra]
    os.execvp("timeout", args)


if __name__ == "__main__":
    main(sys.argv)
