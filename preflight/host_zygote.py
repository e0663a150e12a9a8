"""The host fork server: one program interpreter, started once per run, forks a program host per run.

A program host spends most of a service stack's program time importing the Pulumi SDK and the provider
modules the program uses (pulumi_aws.ec2 alone is a quarter of a second). The CLI pays it once per
`pulumi preview`; a preflight run with known parts or many stacks would pay it per program run. This
process imports those modules once, while nothing has run, and forks each host from that state: the
child is a fresh run of the program (its own modules are never imported here) over an SDK that has
already been imported, as the CLI's language host would have imported it.

Only modules that are safe to import outside a program are preloaded (PRELOADABLE: the SDK, providers,
their libraries, the standard library); a program's own packages, wherever installed, never are.
The server stays single-threaded so that a fork copies nothing half-done; if an import starts a thread,
it stops forking and preflight starts hosts the ordinary way.

Protocol on the control socket (SOCK_SEQPACKET, one JSON message per packet):
  -> {"op": "preload", "modules": [...]}
  -> {"op": "run", "job": {...}, "cwd": ..., "env": {...}} with fds [output, frames, answers]
  <- {"pid": n} or {"refused": reason} per run, in order; {"exit": pid, "status": waitstatus} when one ends.
"""
from __future__ import annotations

import importlib
import json
import os
import socket
import sys
import threading

_STARTED_IN = ""

# Top-level packages whose import runs no program code and reads no stack: safe to preload.
PRELOADABLE_PREFIXES = ("pulumi", "pulumi_")
PRELOADABLE = frozenset({"grpc", "google", "pydantic", "pydantic_core", "yaml", "semver", "dill", "six",
                         "typing_extensions", "annotated_types", "typing_inspection", "parver", "arpeggio",
                         "attr", "attrs", "debugpy"})


def preloadable(name: str) -> bool:
    top = name.split(".")[0]
    return top == "pulumi" or top.startswith("pulumi_") or top in PRELOADABLE or top in sys.stdlib_module_names


def main(argv: list[str]) -> None:
    sys.dont_write_bytecode = True
    ctl = socket.socket(fileno=int(argv[1]))
    ctl.settimeout(0.05)
    global _STARTED_IN
    _STARTED_IN = sys.path[0]
    try:
        import pulumi.runtime  # noqa: F401 - what every host imports first
    except ImportError:
        pass                    # the forked host says so, in the language host's words (preflight/host.py)
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(ctl, 1 << 22, 3)
        except TimeoutError:
            _reap(ctl)
            continue
        except OSError:
            break
        if not msg:
            break
        request = json.loads(msg)
        if request["op"] == "preload":
            _preload(request["modules"])
        elif request["op"] == "run":
            _fork(ctl, request, fds)
        _reap(ctl)
    os._exit(0)


def _preload(modules: list[str]) -> None:
    for name in modules:
        if preloadable(name):
            try:
                _load(name)
            except BaseException:  # noqa: BLE001 - the child imports it itself and meets the error there
                pass


def _load(name: str) -> None:
    """Imports `name` as the program's use of it did: a provider's lazy module (pulumi._utils._LazyModule)
    runs when first used, and a submodule must never be imported into a lazy parent that has not run
    (the parent would then miss its own names)."""
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        module = sys.modules.get(".".join(parts[:i])) or importlib.import_module(".".join(parts[:i]))
        if type(module).__name__ == "_LazyModule":
            getattr(module, "__preflight_load__", None)     # any attribute but introspection's runs it


def _fork(ctl: socket.socket, request: dict, fds: list[int]) -> None:
    if threading.active_count() != 1:
        for fd in fds:
            os.close(fd)
        ctl.send(json.dumps({"refused": "an imported module started a thread"}).encode())
        return
    pid = os.fork()
    if pid == 0:
        try:
            _child(ctl, request, fds)
        finally:
            os._exit(70)
    for fd in fds:
        os.close(fd)
    ctl.send(json.dumps({"pid": pid}).encode())


def _child(ctl: socket.socket, request: dict, fds: list[int]) -> None:
    os.setsid()                 # its own process group, as a host started with start_new_session
    ctl.close()
    out, frames, answers = fds
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    for fd in (devnull, out):
        os.close(fd)
    os.chdir(request["cwd"])
    if sys.path and sys.path[0] == _STARTED_IN:     # `python -m` put our cwd first; a host has its program's
        sys.path[0] = os.getcwd()
    os.environ.clear()
    os.environ.update(request["env"])
    from preflight import host
    host.serve(request["job"], frames, answers)


def _reap(ctl: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        try:
            ctl.send(json.dumps({"exit": pid, "status": status}).encode())
        except OSError:
            return


if __name__ == "__main__":
    main(sys.argv)
