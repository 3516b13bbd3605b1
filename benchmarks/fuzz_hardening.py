"""The long run of the hardening property (tests/test_properties.py) on many generated
article files, counting what the bounded run in `make test` could miss.

    .venv/bin/python benchmarks/fuzz_hardening.py --examples 10000 [--jobs 2]

The inputs run in chunks, each in a child process with its own Hypothesis seed, so that a
crash (a signal, such as MeCab's segmentation fault) is counted and the run goes on.
Reported: inputs run, escaped exceptions or disagreements (each written to
``--failures``), inputs slower than 30 s, crashed chunks, and the time per input.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

SLOW = 30.0  # seconds: an input slower than this counts as a hang


def child(seed: int, examples: int, failures: Path) -> None:
    """Run ``examples`` inputs; print one JSON line of counts."""
    from fuzz_inputs import Site, article_files, run_one
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as with_seed

    site = Site.make(Path(tempfile.mkdtemp(prefix="fuzz-")))
    times: list[float] = []
    found: list[str] = []
    built = 0  # inputs that passed check and were built (rendered, feeds, MeCab)

    @with_seed(seed)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(data=article_files())
    def one(data: bytes) -> None:
        nonlocal built
        start = time.perf_counter()
        try:
            problem = run_one(site, data)
        except BaseException:  # an exception that escaped check or build
            problem = traceback.format_exc()
        times.append(time.perf_counter() - start)
        built += (site.root / "build").is_dir()
        if problem:
            found.append(problem)
            with failures.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"seed": seed, "input": data.decode("utf-8", "backslashreplace"),
                                    "problem": problem}, ensure_ascii=False) + "\n")

    one()
    print(json.dumps({"inputs": len(times), "failures": len(found), "built": built,
                      "slow": sum(t > SLOW for t in times), "times": times}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1, help="chunks run at once")
    parser.add_argument("--failures", type=Path, default=Path("fuzz-failures.jsonl"))
    parser.add_argument("--child", nargs=2, type=int, metavar=("SEED", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.failures)
        return 0

    started = time.monotonic()
    inputs = failures = slow = crashes = built = 0
    times: list[float] = []
    sizes = [min(args.chunk, args.examples - start) for start in range(0, args.examples, args.chunk)]

    def run_chunk(chunk: int) -> tuple[int, subprocess.CompletedProcess]:
        return chunk, subprocess.run(
            [sys.executable, __file__, "--failures", str(args.failures),
             "--child", str(args.seed + chunk), str(sizes[chunk])], capture_output=True, text=True)

    # Chunks in parallel (``--jobs``), each its own process and seed: the same inputs
    # whatever the number of jobs.
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for chunk, run in pool.map(run_chunk, range(len(sizes))):
            if run.returncode != 0:
                crashes += 1
                inputs += sizes[chunk]  # counted as run: the chunk's inputs reached the crash or passed
                print(f"chunk {chunk + 1}: exit {run.returncode}\n{run.stderr[-2000:]}", flush=True)
                continue
            counts = json.loads(run.stdout.strip().splitlines()[-1])
            inputs += counts["inputs"]
            failures += counts["failures"]
            slow += counts["slow"]
            built += counts["built"]
            times += counts["times"]
            print(f"chunk {chunk + 1}: {inputs} inputs, {failures} failures, {slow} slow, "
                  f"{crashes} crashes ({time.monotonic() - started:.0f} s)", flush=True)
    print(f"\n{inputs} generated inputs; escaped exceptions or disagreements: {failures}; "
          f"slower than {SLOW:.0f} s: {slow}; crashed chunks: {crashes}; "
          f"passed check and were built: {built}")
    if times:
        times.sort()
        print(f"seconds per input: median {statistics.median(times):.3f}, "
              f"99th percentile {times[int(len(times) * 0.99)]:.3f}, slowest {times[-1]:.3f}")
    return 1 if failures or slow or crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
