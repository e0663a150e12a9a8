"""The pack's dispatch (aws_cicd_guardrails/_dispatch.py) against the policy SDK's own, over gRPC (a benchmark).

    python bench/pack_dispatch.py [--calls 3000] [--repeat 3]

Two pack processes, started as the CLI starts them, one with AWS_CICD_GUARDRAILS_STOCK_DISPATCH=1,
both under config/prod.json, get the same prebuilt requests (so the client's share of a call is
the stub's alone):

- Analyze calls per second over the realistic mix of tests/policies/realistic (one service's
  delivery platform, cycled), in alternating rounds; the goal is new / stock >= 5;
- AnalyzeStack wall time for 1,000 and 10,000 resources (copies of that platform, one per
  service), best of --repeat; the goal is a 10k / 1k ratio <= 10.5 with the new dispatch;
- the gRPC round trip alone (GetPluginInfo), which every Analyze call pays on top of the pack's work;
- the pack's own Analyze time, without gRPC: both dispatches called in this process on one
  servicer of the SDK under the same config.

The answers of both packs are compared: the figures count only if they are the same, byte for byte.
"""
from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script: the repo root holds `preflight` and `tests`, the pack directory the rules library.
for path in (ROOT / "policies", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from google.protobuf import empty_pb2  # noqa: E402
from pulumi.runtime.proto import analyzer_pb2  # noqa: E402
from pulumi_policy import EnforcementLevel  # noqa: E402
from pulumi_policy import policy as sdk  # noqa: E402

from preflight import pack_config  # noqa: E402
from preflight.analyzer import PolicyPackClient, policy_infos  # noqa: E402
from preflight.protocol import configure_request  # noqa: E402
from tests.policies.realistic import platform_stack, service_stack  # noqa: E402

PACK_DIR = ROOT / "policies"
PROD_CONFIG = PACK_DIR / "config" / "prod.json"
SWITCH = "AWS_CICD_GUARDRAILS_STOCK_DISPATCH"
RATE_GOAL, RATIO_GOAL = 5.0, 10.5
SIZES = (1_000, 10_000)
ROUNDS = 4


def start(stock: bool) -> PolicyPackClient:
    env = {k: v for k, v in os.environ.items() if k != SWITCH}
    if stock:
        env[SWITCH] = "1"
    client = PolicyPackClient(PACK_DIR, env=env)
    client.configure(prod_config(policy_infos(client.info())))
    return client


def prod_config(infos: list[dict]) -> dict[str, dict]:
    return pack_config.reconcile(infos, pack_config.load(PROD_CONFIG))


def answers(client: PolicyPackClient, requests: list) -> list[bytes]:
    return [client.stub.Analyze(r).SerializeToString(deterministic=True) for r in requests]


def analyze_rates(clients: dict[str, PolicyPackClient], calls: int) -> tuple[dict[str, float], bool]:
    mix = [r.analyze_request() for r in service_stack("orders")]
    same = len({tuple(answers(c, mix)) for c in clients.values()}) == 1  # also the warm-up
    per_round = max(1, calls // ROUNDS)
    seconds = dict.fromkeys(clients, 0.0)
    for _ in range(ROUNDS):  # alternating, so both packs share the machine's ups and downs
        for name, client in clients.items():
            batch = list(itertools.islice(itertools.cycle(mix), per_round))
            started = time.perf_counter()
            for request in batch:
                client.stub.Analyze(request)
            seconds[name] += time.perf_counter() - started
    return {name: per_round * ROUNDS / s for name, s in seconds.items()}, same


def round_trip_us(client: PolicyPackClient, calls: int = 2000) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        client.stub.GetPluginInfo(empty_pb2.Empty())
    return (time.perf_counter() - started) / calls * 1e6


def in_process_rates(calls: int) -> dict[str, float]:
    """Analyze calls per second of each dispatch called directly, without gRPC."""
    from aws_cicd_guardrails import POLICIES, _dispatch
    from aws_cicd_guardrails._registry import type_filters
    servicer = sdk._PolicyAnalyzerServicer("aws-cicd-guardrails", "0.0.1", POLICIES,
                                           EnforcementLevel.MANDATORY)
    servicer.Configure(configure_request(prod_config(policy_infos(servicer.GetAnalyzerInfo(None, None)))), None)
    methods = {"stock": sdk._PolicyAnalyzerServicer.Analyze, "new": _dispatch.analyze_method(type_filters())}
    mix = [r.analyze_request() for r in service_stack("orders")]
    for method in methods.values():  # warm-up
        for request in mix:
            method(servicer, request, None)
    per_round = max(1, calls // ROUNDS)
    seconds = dict.fromkeys(methods, 0.0)
    for _ in range(ROUNDS):
        for name, method in methods.items():
            batch = list(itertools.islice(itertools.cycle(mix), per_round))
            started = time.perf_counter()
            for request in batch:
                method(servicer, request, None)
            seconds[name] += time.perf_counter() - started
    return {name: per_round * ROUNDS / s for name, s in seconds.items()}


def stack_request(size: int) -> analyzer_pb2.AnalyzeStackRequest:
    per_service = len(service_stack("svc0")) - 3  # the three providers are shared
    resources = platform_stack(size // per_service + 1)[:size]
    return analyzer_pb2.AnalyzeStackRequest(resources=[r.stack_resource() for r in resources])


def stack_times(clients: dict[str, PolicyPackClient], repeat: int) -> tuple[dict[str, dict[int, float]],
                                                                            bool]:
    times: dict[str, dict[int, float]] = {name: {} for name in clients}
    same = True
    for n in SIZES:
        request = stack_request(n)
        found = {}
        for _ in range(repeat):
            for name, client in clients.items():
                started = time.perf_counter()
                found[name] = client.stub.AnalyzeStack(request).SerializeToString(deterministic=True)
                elapsed = time.perf_counter() - started
                times[name][n] = min(times[name].get(n, elapsed), elapsed)
        same = same and len(set(found.values())) == 1
    return times, same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000,
                        help="Analyze calls to time per pack (default 3000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="AnalyzeStack runs per size and pack; the best counts")
    args = parser.parse_args(argv)
    with start(stock=True) as stock, start(stock=False) as new:
        clients = {"stock": stock, "new": new}
        rates, same_analyze = analyze_rates(clients, args.calls)
        floor = round_trip_us(new)
        times, same_stack = stack_times(clients, args.repeat)
    own = in_process_rates(args.calls)
    print(f"aws-cicd-guardrails under {PROD_CONFIG.relative_to(ROOT)}; identical answers: "
          f"Analyze {'yes' if same_analyze else 'NO'}, AnalyzeStack {'yes' if same_stack else 'NO'}")
    for name in clients:
        print(f"Analyze {name:>5}: {rates[name]:8,.0f} calls/s over {args.calls} calls of a "
              f"{len(service_stack())}-resource realistic mix")
    speedup = rates["new"] / rates["stock"]
    print(f"Analyze new / stock: {speedup:.2f} (goal >= {RATE_GOAL:g}: "
          f"{'met' if speedup >= RATE_GOAL else 'NOT met'})")
    print(f"  the gRPC round trip alone: {floor:.0f} us/call, "
          f"{floor * rates['new'] / 1e4:.0f}% of a call to the new pack; a pack that answered in no time "
          f"would reach new / stock {1e6 / rates['stock'] / floor:.2f} here")
    print(f"  the pack's own Analyze, in process: stock {own['stock']:,.0f} calls/s, new {own['new']:,.0f} "
          f"calls/s: new / stock {own['new'] / own['stock']:.2f}")
    for name in clients:
        t = times[name]
        ratio = t[SIZES[1]] / t[SIZES[0]]
        met = "met" if ratio <= RATIO_GOAL else "NOT met"
        goal = f" (goal <= {RATIO_GOAL:g}: {met})" if name == "new" else ""
        print(f"AnalyzeStack {name:>5}: " + ", ".join(f"{n:,}: {t[n] * 1000:8.1f} ms" for n in SIZES)
              + f"; ratio 10k/1k {ratio:5.2f}{goal}")
    print("AnalyzeStack stock / new: " + ", ".join(
        f"{n:,}: {times['stock'][n] / times['new'][n]:.1f}x" for n in SIZES))
    return 0 if same_analyze and same_stack else 1


if __name__ == "__main__":
    sys.exit(main())
