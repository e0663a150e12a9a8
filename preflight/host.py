"""The program host: runs one Pulumi program in its own process, as the CLI's language host does.

preflight starts `python -m preflight.host FD` (with the program's interpreter), writes the job
as JSON on stdin, and reads frames from FD: every custom registration as it happens, then
`done` (every registration with its outputs, the provider-input-schema findings, unanswered
invokes, stack references, accounts)
or `error`. The host then ends itself at once: threads the program left behind, or an
`os._exit` of its own, can then never make a run pass without a report.
"""
from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> None:
    sys.dont_write_bytecode = True      # nothing is written into the program's directory
    fd = int(argv[1])
    job = json.loads(sys.stdin.read())
    sys.stdin.close()
    sys.stdin = open(os.devnull)        # noqa: SIM115 - the program reads nothing from us
    from preflight.wire import FrameWriter
    out = FrameWriter(fd)
    try:
        _run(job, out)
    except BaseException as e:  # noqa: BLE001 - reported to preflight, which prints one line
        out.send("error", {"message": f"{type(e).__name__}: {e}", "location": None, "internal": True})
    out.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


# pulumi-language-python-exec's own words when the interpreter has no Pulumi SDK (sdk/python/cmd).
NO_SDK = ("It looks like the Pulumi SDK has not been installed. Have you run pip install? If you are running in a "
          "virtualenv, you must run pip install -r requirements.txt from inside the virtualenv.")


def _run(job: dict, out) -> None:
    try:
        import pulumi.runtime  # noqa: F401
    except ImportError as e:
        out.send("error", {"message": f"{type(e).__name__}: {e}. {NO_SDK} (python: {sys.executable})",
                           "location": None, "internal": False})
        return
    from preflight.program import ProgramError, ProgramSpec, _program_error, run_program
    from preflight.wire import registration_body
    spec = ProgramSpec.from_json(job["spec"])
    try:
        run = run_program(spec, job["mode"],
                          on_register=lambda reg: out.send("registration", registration_body(reg, outputs=False)))
    except KeyboardInterrupt as e:  # no signal reaches this process group from a terminal: the program raised it
        err = _program_error(e, spec.directory)
        out.send("error", {"message": err.message, "location": err.location, "internal": False})
        return
    except ProgramError as e:
        out.send("error", {"message": e.message, "location": e.location, "internal": False})
        return
    regs = list(run.monitor.registrations.values())
    accounts = {}
    for reg in regs:
        if reg.custom:
            ref = f"{reg.urn}::{reg.id}" if reg.is_provider else reg.provider
            accounts[reg.urn] = run.mocks.place(ref).account
    out.send("done", {
        "registrations": [registration_body(r, outputs=True) for r in regs],
        "schema": _schema(regs),
        "unanswered_invokes": list(run.mocks.unanswered),
        "stack_references": list(run.mocks.stack_references),
        "accounts": accounts,
    })


def _schema(regs: list) -> dict:
    """The provider-input-schema check, here so it reads the provider package the program itself imported."""
    try:
        from preflight.schema.check import check_registrations
    except Exception as e:  # noqa: BLE001 - e.g. a pulumi SDK too old for the check: the report says so
        return {"unchecked": {"(all)": f"the check cannot run here: {type(e).__name__}: {e}"}}
    return check_registrations(regs).to_json()


if __name__ == "__main__":
    main(sys.argv)
