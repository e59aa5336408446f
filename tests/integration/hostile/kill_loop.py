#!/usr/bin/env python3
"""kill -9 at random moments, then --resume: the resumed sweep must finish
with valid results whose verdicts equal an uninterrupted sweep's, and leave no
process of the sweep running.

    kill_loop.py SEEDGATE [--kills 50] [--seed 1] [--work DIR]

Each round starts a sweep in a fresh folder and kills it (SIGKILL) after a
random delay; every second kill lands on a `--resume` already under way. After
the kills of a round, `--resume` runs to the end. The training program is a
shell script whose runs start a child and a setsid() daemon (what a process
group kill misses) and sleep a little, so kills land in every phase: before
runs start, while they train, while results are written.

Prints one line per round and a summary; exits 1 on the first broken promise.
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TRAIN = r"""#!/bin/sh
# seed -> a fixed accuracy, so every sweep's verdicts are the same.
seed=$1
sleep 30 &
setsid sh -c 'exec sleep 30' > /dev/null 2>&1 < /dev/null &
sleep 0.0$(( (seed * 7) % 9 + 1 ))
printf '{"accuracy": 0.9%02d}\n' $(( (seed * 37) % 50 + 10 )) >> "$SEEDGATE_METRICS"
"""

POLICY = """version = 1
[subject]
command = ["/bin/sh", "{train}", "{{seed}}"]
timeout = "60s"
[sweep]
seeds = 8
repeats = 2
jobs = 4
[metrics.accuracy]
goal = "max"
[[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.9
[[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0.05
[[check]]
kind = "reproducibility"
metric = "accuracy"
"""


def leftovers(out_dir):
    """Processes whose SEEDGATE_RUN_DIR lies under out_dir/runs/."""
    prefix = ("SEEDGATE_RUN_DIR=" + os.path.realpath(out_dir) + "/runs/").encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                variables = f.read().split(b"\0")
        except OSError:
            continue
        if any(v.startswith(prefix) for v in variables):
            found.append(int(entry))
    return found


def verdicts(results_path):
    with open(results_path) as f:
        results = json.load(f)
    return results["verdict"], [(c["name"], c["verdict"]) for c in results["checks"]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seedgate")
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", default=None)
    args = parser.parse_args()
    args.seedgate = os.path.abspath(args.seedgate)
    rng = random.Random(args.seed)
    work = args.work or tempfile.mkdtemp(prefix="seedgate-kill-loop-")
    os.makedirs(work, exist_ok=True)
    train = os.path.join(work, "train.sh")
    with open(train, "w") as f:
        f.write(TRAIN)
    policy = os.path.join(work, "seedgate.toml")
    with open(policy, "w") as f:
        f.write(POLICY.format(train=train))

    def seedgate(out_dir, *extra):
        return subprocess.Popen([args.seedgate, "run", "-p", policy, "--out", out_dir, *extra],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=work)

    started = time.monotonic()
    reference = seedgate(os.path.join(work, "reference"))
    _, err = reference.communicate()
    sweep_seconds = time.monotonic() - started
    if reference.returncode not in (0, 1):
        sys.exit(f"the uninterrupted sweep exited {reference.returncode}: {err.decode()}")
    expected = verdicts(os.path.join(work, "reference", "results.json"))
    print(f"uninterrupted: {expected[0]} in {sweep_seconds:.2f}s, checks {expected[1]}")
    time.sleep(0.5)  # its own runs' sleeps are stopped by now

    kills = rounds = 0
    while kills < args.kills:
        rounds += 1
        out_dir = os.path.join(work, f"round-{rounds}")
        delays = []
        for attempt in range(2):  # the second kill lands on a --resume
            process = seedgate(out_dir, *(["--resume"] if attempt else []))
            delay = rng.uniform(0, sweep_seconds)
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
            delays.append(f"{delay:.2f}s")
            if kills >= args.kills:
                break
        resumed = seedgate(out_dir, "--resume")
        _, err = resumed.communicate()
        got = verdicts(os.path.join(out_dir, "results.json"))
        left = leftovers(out_dir)
        print(f"round {rounds}: killed after {', '.join(delays)}; --resume exited {resumed.returncode}, "
              f"{got[0]}, {len(left)} left running")
        if got != expected or left or resumed.returncode != reference.returncode:
            print(f"broken: expected {expected}, got {got}; left running: {left}\n{err.decode()}")
            for pid in left:
                os.kill(pid, signal.SIGKILL)
            sys.exit(1)
        shutil.rmtree(out_dir)
    print(f"{kills} kills in {rounds} rounds: every --resume finished with the uninterrupted verdicts and "
          f"nothing left running")
    if not args.work:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
