"""Policy pack throughput over the real Analyzer gRPC protocol (a benchmark, not a timed test).

    python bench/policy_throughput.py [--calls 3000] [--repeat 3]

- Analyze calls per second for a realistic mix: the resources of one service's delivery platform
  (tests/policies/realistic: KMS, S3, ECR, CodeBuild, CodePipeline, IAM, ECS, CodeDeploy, Lambda, ...),
  cycled, under config/prod.json (every rule mandatory).
- AnalyzeStack wall time for 1,000 and 10,000 resources (copies of that platform, one per service),
  and the ratio 10k/1k: stack rules join in linear time, so the goal is <= 11.
- The same stacks through a null pack with as many no-op stack policies: the SDK deserialises every
  resource once per stack policy, and that floor is separated from the rules' own time.
"""
from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the repo root holds `preflight` and `tests`
    sys.path.insert(0, str(ROOT))

from preflight import pack_config  # noqa: E402
from preflight.analyzer import PolicyPackClient, Resource, policy_infos  # noqa: E402
from tests.policies.realistic import platform_stack, service_stack  # noqa: E402

PACK_DIR = ROOT / "policies"
PROD_CONFIG = PACK_DIR / "config" / "prod.json"
RATIO_GOAL = 11.0
SIZES = (1_000, 10_000)
NULL_PACK = """from pulumi_policy import EnforcementLevel, PolicyPack, StackValidationPolicy

PolicyPack("null-pack", [StackValidationPolicy(name=f"noop-{i}", description="No-op.",
                                               validate=lambda args, report_violation: None)
                         for i in range(COUNT)], enforcement_level=EnforcementLevel.MANDATORY)
"""


def analyze_rate(client: PolicyPackClient, calls: int) -> tuple[float, Counter]:
    mix = service_stack("orders")
    for r in mix:  # warm-up: imports, regex caches, first-call costs
        client.analyze(r)
    start = time.perf_counter()
    diagnostics: Counter = Counter()
    for r in itertools.islice(itertools.cycle(mix), calls):
        diagnostics.update(d.enforcement for d in client.analyze(r).diagnostics)
    return calls / (time.perf_counter() - start), diagnostics


def stack_of(size: int) -> list[Resource]:
    per_service = len(service_stack("svc0")) - 3  # the three providers are shared
    return platform_stack(size // per_service + 1)[:size]


def stack_seconds(client: PolicyPackClient, resources: list[Resource], repeat: int) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        found = len(client.analyze_stack(resources).diagnostics)
        times.append(time.perf_counter() - start)
    return min(times), found


def null_pack_seconds(policies: int, stacks: dict[int, list[Resource]], repeat: int) -> dict[int, float]:
    with tempfile.TemporaryDirectory(prefix="null-pack-") as tmp:
        (Path(tmp) / "__main__.py").write_text(NULL_PACK.replace("COUNT", str(policies)))
        with PolicyPackClient(tmp, python=sys.executable) as client:
            return {n: stack_seconds(client, resources, repeat)[0] for n, resources in stacks.items()}


def _ratio(times: dict[int, float]) -> str:
    ratio = times[SIZES[1]] / times[SIZES[0]]
    return f"ratio 10k/1k {ratio:5.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000, help="Analyze calls to time (default 3000)")
    parser.add_argument("--repeat", type=int, default=3, help="AnalyzeStack runs per size; the best counts")
    args = parser.parse_args(argv)
    with PolicyPackClient(PACK_DIR) as client:
        infos = policy_infos(client.info())
        client.configure(pack_config.reconcile(infos, pack_config.load(PROD_CONFIG)))
        print(f"aws-cicd-guardrails: {len(infos)} policies, config {PROD_CONFIG.relative_to(ROOT)}")
        rate, diagnostics = analyze_rate(client, args.calls)
        print(f"Analyze: {rate:,.0f} calls/s over {args.calls} calls of a {len(service_stack())}-resource "
              f"realistic mix ({sum(diagnostics.values())} diagnostics)")
        stacks = {n: stack_of(n) for n in SIZES}
        found, pack_times = {}, {}
        for n, resources in stacks.items():
            pack_times[n], found[n] = stack_seconds(client, resources, args.repeat)
        stack_policies = sum(1 for p in infos if p.get("policy_type") == "POLICY_TYPE_STACK")
    floor = null_pack_seconds(stack_policies, stacks, args.repeat)
    own = {n: pack_times[n] - floor[n] for n in SIZES}
    for n in SIZES:
        print(f"AnalyzeStack {n:>6,} resources: {pack_times[n] * 1000:8.1f} ms ({found[n]} diagnostics; "
              f"{pack_times[n] / n * 1e6:.0f} us/resource)")
    ratio = pack_times[SIZES[1]] / pack_times[SIZES[0]]
    print(f"ratio 10k/1k: {ratio:.2f} (goal <= {RATIO_GOAL:g}: {'met' if ratio <= RATIO_GOAL else 'NOT met'})")
    print(f"  SDK floor ({stack_policies} no-op stack policies): "
          + ", ".join(f"{n:,}: {floor[n] * 1000:.1f} ms" for n in SIZES) + f"; {_ratio(floor)}")
    if all(own[n] > 0.1 * pack_times[n] for n in SIZES):
        print("  the rules' own time (pack - floor): "
              + ", ".join(f"{n:,}: {own[n] * 1000:.1f} ms" for n in SIZES) + f"; {_ratio(own)}")
    else:
        print("  the rules' own time is within the noise of the floor: the SDK's deserialisation dominates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
