"""A throw-away systemd machine: the cached bookworm tree under an overlay, booted with systemd-nspawn.

How it runs on a host where systemd is not PID 1 (a container-like CI sandbox):

* root file system: an overlayfs mount (lower = the cached tree, read-only; upper/work = this run's directory), so
  `systemd/install.sh --root` can write the bundle before boot and the cached tree stays clean. When overlayfs
  cannot be mounted, the tree is copied instead (`cp -a --reflink=auto`).
* boot: `systemd-nspawn --boot --directory=ROOT --machine=NAME --register=no --keep-unit --private-users=no
  --system-call-filter=bpf --console=pipe` (no machined registration and no scope unit: the host has no systemd
  to talk to; the host's network namespace is shared, so chatd's 127.0.0.1 port is reachable from the tests).
* commands inside: `nsenter --target LEADER --all` where LEADER is the host PID of the container's PID 1 (the
  nspawn child whose NSpid ends in 1). `machinectl shell` / `systemd-run -M` need registration with machined,
  which needs a systemd on the host.
* stop: SIGTERM to systemd-nspawn (it asks the container's systemd to halt), SIGKILL after a bounded wait, then the
  overlay is unmounted and the run directory removed.
"""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

# A clean environment for commands run inside the container (no host PATH/locale surprises, no pager/colors).
INSIDE_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
    "SYSTEMD_PAGER": "cat",
    "SYSTEMD_COLORS": "0",
    "TERM": "dumb",
}


class MachineError(RuntimeError):
    """The machine could not be prepared, booted or reached."""


class NspawnMachine:
    """One booted bookworm container; `run()` executes a command inside it through nsenter."""

    def __init__(self, tree, run_dir, name):
        self.tree = Path(tree)
        self.run_dir = Path(run_dir)
        self.name = name
        self.root = self.run_dir / "root"
        self.console_log = self.run_dir / "console.log"
        self.overlay = False
        self.process = None
        self.leader = None

    # ---- root file system ----

    def prepare_root(self):
        """Creates the writable root: an overlay over the cached tree, or a copy when overlayfs is unavailable."""
        upper, work = self.run_dir / "upper", self.run_dir / "work"
        for directory in (upper, work, self.root):
            directory.mkdir(parents=True, exist_ok=True)
        options = f"lowerdir={self.tree},upperdir={upper},workdir={work}"
        mounted = subprocess.run(
            ["mount", "-t", "overlay", "overlay", "-o", options, str(self.root)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if mounted.returncode == 0:
            self.overlay = True
            (self.run_dir / "overlay-mounted").write_text(str(self.root) + "\n")
            return "overlayfs"
        copied = subprocess.run(
            ["cp", "-a", "--reflink=auto", f"{self.tree}/.", str(self.root)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if copied.returncode != 0:
            raise MachineError(f"cannot mount overlay ({mounted.stderr.strip()}) nor copy the tree: {copied.stderr}")
        return "copy"

    def path(self, inside):
        """Host path of a file inside the container (written through the overlay, visible inside at once)."""
        return self.root / str(inside).lstrip("/")

    def write_file(self, inside, text, mode=0o644):
        """Writes a file inside the container's root (parents created)."""
        target = self.path(inside)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        target.chmod(mode)

    # ---- boot / stop ----

    def boot(self, timeout=90):
        """Boots the container and waits (bounded) until its systemd reports running (or degraded)."""
        command = [
            "systemd-nspawn",
            "--boot",
            f"--directory={self.root}",
            f"--machine={self.name}",
            "--register=no",
            "--keep-unit",
            "--private-users=no",
            "--system-call-filter=bpf",
            "--console=pipe",
        ]
        log = open(self.console_log, "wb")
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        (self.run_dir / "nspawn.pid").write_text(f"{self.process.pid}\n")
        deadline = time.monotonic() + timeout
        state = "no leader"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise MachineError(f"systemd-nspawn exited with {self.process.returncode}:\n{self.console_tail()}")
            if self.leader is None:
                self.leader = self._find_leader()
            if self.leader is not None:
                result = self.run("systemctl", "is-system-running", check=False, timeout=10)
                state = result.stdout.strip() or result.stderr.strip()
                if state in ("running", "degraded"):
                    return state
            time.sleep(0.2)
        raise MachineError(f"container did not finish booting within {timeout}s (last state: {state})")

    def _find_leader(self):
        """Host PID of the container's PID 1: a child of systemd-nspawn whose innermost PID is 1."""
        try:
            children = (
                Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            )
        except OSError:
            return None
        for child in children:
            try:
                status = Path(f"/proc/{child}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("NSpid:") and line.split()[-1] == "1" and len(line.split()) > 2:
                    return int(child)
        return None

    def console_tail(self, lines=30):
        """The last lines systemd-nspawn printed (for error messages)."""
        try:
            return "\n".join(self.console_log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no console log)"

    def stop(self, grace=20):
        """Halts the container (SIGTERM to nspawn, SIGKILL after `grace` seconds); returns how it ended."""
        ended = "not started"
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(grace)
                ended = f"halted (nspawn exit {self.process.returncode})"
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
                ended = "killed after SIGTERM timeout"
        elif self.process is not None:
            ended = f"had already exited ({self.process.returncode})"
        self.leader = None
        return ended

    def cleanup(self):
        """Unmounts the overlay and deletes the run directory (after stop())."""
        if self.overlay:
            subprocess.run(["umount", str(self.root)], check=False, timeout=30)
            if os.path.ismount(self.root):
                subprocess.run(["umount", "--lazy", str(self.root)], check=False, timeout=30)
            self.overlay = False
        shutil.rmtree(self.run_dir, ignore_errors=True)

    # ---- commands inside ----

    def run(self, *argv, check=True, timeout=30, input=None):
        """Runs argv inside the container (all of its namespaces, its root) and returns the CompletedProcess."""
        if self.leader is None:
            raise MachineError("the container is not running")
        command = ["nsenter", f"--target={self.leader}", "--all", "env", "-i"]
        command += [f"{key}={value}" for key, value in INSIDE_ENV.items()]
        command += list(argv)
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, input=input)
        if check and result.returncode != 0:
            raise MachineError(
                f"inside: {' '.join(argv)} exited {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    def sh(self, script, check=True, timeout=30):
        """Runs a /bin/sh script inside the container."""
        return self.run("/bin/sh", "-c", script, check=check, timeout=timeout)

    def systemctl(self, *args, check=True, timeout=60):
        """`systemctl ARGS` inside; returns stdout stripped."""
        return self.run("systemctl", *args, check=check, timeout=timeout).stdout.strip()

    def show(self, unit, *properties):
        """`systemctl show -p ...` as a dict."""
        output = self.systemctl("show", unit, *(f"--property={name}" for name in properties))
        values = {}
        for line in output.splitlines():
            key, _, value = line.partition("=")
            values[key] = value
        return values
