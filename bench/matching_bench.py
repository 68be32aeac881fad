"""Benchmark of the matching engine, with the PyPI `matching` package as a baseline.

    make bench-matching        (or: .venv/bin/python bench/matching_bench.py)

Each measured case runs in a fresh subprocess, so one case's memory never counts towards
another's. Time is the median of three runs of the engine call on the same input; memory is
the growth of the process's peak resident set size (ru_maxrss) from just before the first
run to just after the last, so it counts what the engine allocates, not the interpreter or
the input.

Our package and the PyPI package are both imported as `matching`. This script puts the
repository root first on sys.path; the baseline runs in a subprocess started with `python -P`
from a temporary directory, so it finds the installed PyPI package instead, and reads its
preference lists from a JSON file.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import matching  # noqa: E402
from matching import GroupRules, PairRules, Participant, form_groups, match_pairs  # noqa: E402
from matching._vectors import Side, Vocabularies  # noqa: E402
from matching.pairs import _checks, _score_matrix  # noqa: E402

assert Path(matching.__file__).is_relative_to(ROOT), "imported the wrong `matching` package"

THEMES = (
    "music", "ceramics", "football", "coding", "cooking", "drawing",
    "dance", "history", "nature", "photography", "film",
)  # fmt: skip
# City -> (local language, UTC offset in minutes). Cities the portal's demo data has.
CITIES = {
    "gwangju": ("ko", 540),
    "zibo": ("zh", 480),
    "halong": ("vi", 420),
    "kyoto": ("ja", 540),
}
OTHER_LANGUAGES = ("ko", "zh", "ja", "vi", "fr", "es", "de")


def make_people(count: int, city: str, *, first_id: int, rng: random.Random) -> list[Participant]:
    """Realistic-looking teenagers: ages 14-18, 2-3 languages, 2-4 of 11 interests, ~10%
    pet households, ~5% pet allergies, a few dietary needs, ~3% living in another zone."""
    local, offset = CITIES[city]
    people = []
    for i in range(count):
        languages = {local: 4, "en": rng.choices((1, 2, 3, 4), weights=(2, 4, 3, 1))[0]}
        if rng.random() < 0.5:
            other = rng.choice([code for code in OTHER_LANGUAGES if code != local])
            languages[other] = rng.choices((1, 2, 3), weights=(5, 3, 1))[0]
        learning = {rng.choice([c for c in ("ko", "zh", "ja", "vi", "en") if c != local])}
        needs = rng.choices(
            (frozenset(), frozenset({"vegetarian"}), frozenset({"halal"})), weights=(90, 7, 3)
        )[0]
        offered = {"vegetarian"} if rng.random() < 0.7 else set()
        if rng.random() < 0.15:
            offered.add("halal")
        people.append(
            Participant(
                id=first_id + i,
                city=city,
                age=rng.randint(14, 18),
                gender=rng.choices(("f", "m", ""), weights=(48, 48, 4))[0],
                languages=languages,
                learning=frozenset(learning),
                interests=frozenset(rng.sample(THEMES, rng.randint(2, 4))),
                can_host=rng.random() < 0.9,
                household_pets=rng.random() < 0.10,
                pet_allergy=rng.random() < 0.05,
                dietary_needs=needs,
                diets_offered=frozenset(offered),
                utc_offset_minutes=offset if rng.random() < 0.97 else rng.choice((0, 60, -300)),
            )
        )
    return people


def pair_instance(size: int, seed: int = 2026) -> tuple[list[Participant], list[Participant]]:
    rng = random.Random(seed)
    return (
        make_people(size, "gwangju", first_id=1, rng=rng),
        make_people(size, "zibo", first_id=1_000_000, rng=rng),
    )


def group_instance(size: int, seed: int = 2026) -> list[Participant]:
    rng = random.Random(seed)
    shares = {"gwangju": 0.3, "zibo": 0.28, "halong": 0.22, "kyoto": 0.2}
    people: list[Participant] = []
    for index, (city, share) in enumerate(shares.items()):
        people += make_people(round(size * share), city, first_id=index * 1_000_000, rng=rng)
    return people


def measure(case: str, size: int) -> dict:
    """Runs in its own process (see main)."""
    if case == "pairs":
        side_a, side_b = pair_instance(size)

        def run():
            return match_pairs(side_a, side_b, PairRules())
    else:
        people = group_instance(size)

        def run():
            return form_groups(people, GroupRules())

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    for _ in range(3):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    summary = {"seconds": statistics.median(times), "peak_growth_mb": (after - before) / 1024}
    if case == "pairs":
        summary["placed"] = 2 * len(result.pairs)
        summary["total_score"] = round(sum(p.score for p in result.pairs), 3)
        summary["leftovers"] = len(result.leftovers)
    else:
        summary["placed"] = sum(len(g.members) for g in result.groups)
        summary["groups"] = len(result.groups)
        summary["leftovers"] = len(result.leftovers)
        summary["with_common_language"] = sum(
            1
            for g in result.groups
            for r in g.reasons
            if r.code == "common_languages" and r.detail["languages"]
        )
        summary["mean_group_score"] = round(statistics.mean(g.score for g in result.groups), 3)
    return summary


def run_case(case: str, size: int) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--case", case, "--size", str(size)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


# The baseline: stable marriage from the PyPI package, on complete preference lists ranked by
# our own values (feasible partners first, then by score), because the game needs every
# player to rank everyone on the other side.
BASELINE = """
import json, sys, threading, time
sys.setrecursionlimit(1_000_000)
# Player objects point at each other through their preference lists, so the deep copy in
# StableMarriage.__init__ recurses about as deep as there are players: give it a big stack.
threading.stack_size(1024 * 1024 * 1024)
from matching.games import StableMarriage
prefs = json.load(open(sys.argv[1]))
out = {}
def solve():
    start = time.perf_counter()
    game = StableMarriage.create_from_dictionaries(prefs["suitors"], prefs["reviewers"])
    matched = game.solve()
    out["seconds"] = time.perf_counter() - start
    out["pairs"] = [[s.name, r.name] for s, r in matched.items()]
worker = threading.Thread(target=solve)
worker.start()
worker.join()
print(json.dumps(out))
"""


def baseline(size: int, *, timeout: float) -> dict:
    side_a, side_b = pair_instance(size)
    rules = PairRules()
    vocab = Vocabularies.of(side_a + side_b)
    rows = Side.of(side_a, vocab, min_level=rules.min_shared_level)
    cols = Side.of(side_b, vocab, min_level=rules.min_shared_level)
    feasible = np.logical_and.reduce(list(_checks(rows, cols, rules, both_host=True).values()))
    score = _score_matrix(rows, cols, rules)
    value = feasible * 2.0 + score
    a_names = [f"a{p.id}" for p in side_a]
    b_names = [f"b{p.id}" for p in side_b]
    # Ties broken by id, so the lists (and the result) are deterministic.
    prefs = {
        "suitors": {
            a_names[i]: [b_names[j] for j in np.lexsort((np.arange(size), -value[i]))]
            for i in range(size)
        },
        "reviewers": {
            b_names[j]: [a_names[i] for i in np.lexsort((np.arange(size), -value[:, j]))]
            for j in range(size)
        },
    }
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "prefs.json"
        path.write_text(json.dumps(prefs))
        try:
            completed = subprocess.run(
                [sys.executable, "-P", "-c", BASELINE, str(path)],
                cwd=workdir,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return {"status": f"timed out after {timeout:.0f} s"}
    if completed.returncode != 0 or not completed.stdout.strip():
        last = (completed.stderr.strip().splitlines() or [f"exit code {completed.returncode}"])[-1]
        return {"status": f"crashed ({completed.returncode}): {last[:70]}"}
    out = json.loads(completed.stdout)
    a_index = {name: i for i, name in enumerate(a_names)}
    b_index = {name: j for j, name in enumerate(b_names)}
    good = [(a_index[s], b_index[r]) for s, r in out["pairs"] if feasible[a_index[s], b_index[r]]]
    return {
        "status": "ok",
        "seconds": out["seconds"],
        "placed": 2 * len(good),
        "total_score": round(float(sum(score[i, j] for i, j in good)), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=("pairs", "groups"))
    parser.add_argument("--size", type=int)
    parser.add_argument("--baseline-timeout", type=float, default=60)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(measure(args.case, args.size)))
        return

    print("Matching engine (each case in a fresh process; time = median of 3 runs;")
    print("memory = growth of peak RSS, ru_maxrss, across the runs)\n")
    print(f"{'case':<34}{'time s':>8}{'peak MB':>9}{'placed':>8}{'left':>7}  quality")
    pairs = run_case("pairs", 2000)
    print(
        f"{'pairs 2,000 x 2,000':<34}{pairs['seconds']:>8.2f}{pairs['peak_growth_mb']:>9.0f}"
        f"{pairs['placed']:>8}{pairs['leftovers']:>7}  total score {pairs['total_score']}"
    )
    groups = run_case("groups", 10_000)
    print(
        f"{'groups 10,000 in 4 cities (4-8)':<34}{groups['seconds']:>8.2f}"
        f"{groups['peak_growth_mb']:>9.0f}{groups['placed']:>8}{groups['leftovers']:>7}"
        f"  {groups['groups']} groups, {groups['with_common_language']} with a common"
        f" language, mean score {groups['mean_group_score']}"
    )

    print("\nBaseline: PyPI matching 1.4 StableMarriage, preferences ranked by the same values")
    print(
        f"{'size':>6}  {'engine s':>9}{'placed':>8}{'score':>9}"
        f"  {'SM s':>9}{'placed':>8}{'score':>9}"
    )
    for size in (100, 400, 2000):
        ours = run_case("pairs", size)
        theirs = baseline(size, timeout=args.baseline_timeout)
        if theirs["status"] == "ok":
            sm = f"{theirs['seconds']:>9.2f}{theirs['placed']:>8}{theirs['total_score']:>9.1f}"
        else:
            sm = f"  {theirs['status']}"
        print(
            f"{size:>6}  {ours['seconds']:>9.3f}{ours['placed']:>8}"
            f"{ours['total_score']:>9.1f}  {sm}"
        )


if __name__ == "__main__":
    main()
