#!/usr/bin/env python3
"""Checks ci-templates/ as far as it can be checked without the engines.

Every YAML file parses. Then, for each engine, the commands its template runs
are run here, one shard after another, with the variables that engine sets
(GitHub's matrix expressions, GitLab's CI_NODE_INDEX/CI_NODE_TOTAL, Slurm's
array variables, Kubernetes' JOB_COMPLETION_INDEX), against a small policy
around the fake trainer. Each shard must write its own slice, the slices must
cover the sweep exactly once, and the template's merge command must judge
them to the same verdicts and statistics as one unsharded run.

usage: templates_test.py SEEDGATE_BIN FAKE_TRAINER TEMPLATES_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    print("SKIP: python3-yaml is not installed (Debian package python3-yaml)")
    sys.exit(77)

SEEDGATE, FAKE_TRAINER, TEMPLATES = (os.path.abspath(a) for a in sys.argv[1:4])
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


POLICY = """version = 1
[subject]
name = "templates"
command = ["{trainer}", "normal", "0.95", "0.01"]
timeout = "60s"

[sweep]
seeds = 5
modes = ["deterministic", "default"]
repeats = 2
jobs = 2

[metrics.accuracy]
goal = "max"

[artifacts]
model = "{{run_dir}}/model.bin"

[[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.9
confidence = 0.95

[[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0.05

[[check]]
kind = "reproducibility"

[report]
junit = "seedgate-junit.xml"
json = "seedgate-results.json"
markdown = "seedgate-summary.md"
html = "seedgate-report.html"
"""


def workspace():
    """A fresh repository root with seedgate.toml and `seedgate` on PATH."""
    root = tempfile.mkdtemp(prefix="seedgate-templates-")
    with open(os.path.join(root, "seedgate.toml"), "w") as f:
        f.write(POLICY.format(trainer=FAKE_TRAINER))
    os.makedirs(os.path.join(root, "bin"))
    os.symlink(SEEDGATE, os.path.join(root, "bin", "seedgate"))
    return root


def run(root, script, env_extra, label, allowed=(0,)):
    env = {"PATH": os.path.join(root, "bin") + ":/usr/bin:/bin", "HOME": root}
    env.update(env_extra)
    p = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=root, env=env,
                       capture_output=True, text=True, timeout=300)
    check(p.returncode in allowed, f"{label}: `{script.strip()}` exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def judged(results):
    runs = [(r["id"], r["status"], r.get("metrics"), r.get("digests")) for r in results["runs"]]
    return {"runs": runs, "checks": results["checks"], "verdict": results["verdict"]}


def reference():
    root = workspace()
    run(root, "seedgate run -p seedgate.toml --out whole", {}, "unsharded run")
    with open(os.path.join(root, "seedgate-results.json")) as f:
        return judged(json.load(f))


def shard_files(root, folder):
    folder = os.path.join(root, folder)
    return sorted(n for n in os.listdir(folder) if n.startswith("shard-")) if os.path.isdir(folder) else []


def check_slices(root, folder, count, engine):
    names = shard_files(root, folder)
    check(names == [f"shard-{k}-of-{count}.json" for k in range(1, count + 1)],
          f"{engine}: shard files {names}, wanted 1..{count} of {count}")
    seen = []
    for name in names:
        with open(os.path.join(root, folder, name)) as f:
            seen += [r["id"] for r in json.load(f)["runs"]]
    check(len(seen) == len(set(seen)) == 20, f"{engine}: the shards hold {len(seen)} runs "
          f"({len(set(seen))} distinct); the sweep has 20")


def check_merged(root, engine, expected):
    with open(os.path.join(root, "seedgate-results.json")) as f:
        merged = json.load(f)
    check(judged(merged) == expected, f"{engine}: merged results differ from the unsharded run's")
    check(len(merged.get("merged_from", [])) == 3, f"{engine}: the merge names {len(merged.get('merged_from', []))} shards")


def load_yaml(path):
    with open(path) as f:
        return list(yaml.safe_load_all(f))


def test_yaml_parses():
    count = 0
    for folder, _, files in os.walk(TEMPLATES):
        for name in files:
            if name.endswith((".yml", ".yaml")):
                try:
                    docs = load_yaml(os.path.join(folder, name))
                    check(all(d is not None for d in docs), f"{name}: an empty document")
                    count += 1
                except yaml.YAMLError as e:
                    check(False, f"{name}: does not parse: {e}")
    check(count >= 5, f"only {count} YAML templates found")


def steps_running(job, word):
    return [s["run"] for s in job.get("steps", []) if word in s.get("run", "")]


def test_github(expected):
    single = load_yaml(os.path.join(TEMPLATES, "github", "seedgate.yml"))[0]
    job = single["jobs"]["seedgate"]
    check(single["permissions"].get("security-events") == "write", "github: no security-events: write")
    uses = [s.get("uses", "") for s in job["steps"]]
    check(any(u.startswith("github/codeql-action/upload-sarif") for u in uses), "github: no SARIF upload")
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    check(uploads and all(s.get("if") == "always()" for s in uploads), "github: reports not kept on failure")
    root = workspace()
    for script in steps_running(job, "seedgate "):
        run(root, script, {"GITHUB_PATH": os.path.join(root, "path")}, "github single job")
    check(os.path.exists(os.path.join(root, "seedgate-lint.sarif")), "github: no SARIF written")
    check(os.path.exists(os.path.join(root, "seedgate-junit.xml")), "github: no JUnit written")

    sharded = load_yaml(os.path.join(TEMPLATES, "github", "seedgate-sharded.yml"))[0]
    shard_job, merge_job = sharded["jobs"]["shard"], sharded["jobs"]["merge"]
    shards = shard_job["strategy"]["matrix"]["shard"]
    check(shard_job["strategy"].get("fail-fast") is False, "github: shards fail fast")
    check(merge_job.get("if") == "always()" and merge_job.get("needs") == "shard", "github: merge job not after shards")
    root = workspace()
    for k in shards:
        for script in steps_running(shard_job, "seedgate run"):
            script = script.replace("${{ matrix.shard }}", str(k)).replace("${{ strategy.job-total }}", str(len(shards)))
            check("${{" not in script, f"github: an expression left in `{script}`")
            run(root, script, {}, f"github shard {k}")
    check_slices(root, ".seedgate", len(shards), "github")
    download = next(s for s in merge_job["steps"] if s.get("uses", "").startswith("actions/download-artifact"))
    upload = next(s for s in shard_job["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    check(download["with"]["pattern"].replace("*", "1") == upload["with"]["name"].replace("${{ matrix.shard }}", "1"),
          "github: the merge job does not download the shards' artifacts")
    # download-artifact with merge-multiple puts every shard's files in `path`.
    target = os.path.join(root, download["with"]["path"])
    os.makedirs(target)
    for name in shard_files(root, ".seedgate"):
        shutil.copy(os.path.join(root, ".seedgate", name), target)
    for script in steps_running(merge_job, "seedgate check"):
        run(root, script, {}, "github merge")
    check_merged(root, "github", expected)


def test_gitlab(expected):
    ci = load_yaml(os.path.join(TEMPLATES, "gitlab", "seedgate.gitlab-ci.yml"))[0]
    shard_job, gate_job, lint_job = ci["seedgate-shard"], ci["seedgate-gate"], ci["seedgate-lint"]
    count = shard_job["parallel"]
    check(gate_job["artifacts"]["reports"]["junit"] == "seedgate-junit.xml", "gitlab: no JUnit report")
    quality = lint_job["artifacts"]["reports"]["codequality"]
    root = workspace()
    for script in lint_job["script"]:
        run(root, script, {}, "gitlab lint")
    with open(os.path.join(root, quality)) as f:
        check(isinstance(json.load(f), list), "gitlab: the code-quality report is not a JSON array")
    for k in range(1, count + 1):
        for script in shard_job["script"]:
            run(root, script, {"CI_NODE_INDEX": str(k), "CI_NODE_TOTAL": str(count), "CI": "true"}, f"gitlab shard {k}")
    check_slices(root, ".seedgate", count, "gitlab")
    for script in gate_job["script"]:
        run(root, script, {"CI": "true"}, "gitlab gate")
    check_merged(root, "gitlab", expected)


def test_slurm(expected):
    folder = os.path.join(TEMPLATES, "slurm")
    with open(os.path.join(folder, "seedgate-shards.sbatch")) as f:
        shards_script = f.read()
    with open(os.path.join(folder, "seedgate-merge.sbatch")) as f:
        merge_script = f.read()
    first, last = map(int, re.search(r"#SBATCH --array=(\d+)-(\d+)", shards_script).groups())
    root = workspace()
    for task in range(first, last + 1):
        run(root, shards_script, {"SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": str(first),
                                  "SLURM_ARRAY_TASK_MAX": str(last), "SLURM_ARRAY_TASK_COUNT": str(last - first + 1),
                                  "SLURM_CPUS_PER_TASK": "2"}, f"slurm task {task}")
    check_slices(root, ".seedgate", last - first + 1, "slurm")
    run(root, merge_script, {}, "slurm merge")
    check_merged(root, "slurm", expected)
    with open(os.path.join(folder, "submit.sh")) as f:
        submit = f.read()
    check("--dependency=\"afterany:" in submit, "slurm: the merge does not wait for the array")
    check(subprocess.run(["bash", "-n", os.path.join(folder, "submit.sh")]).returncode == 0, "slurm: submit.sh")


def test_kubernetes(expected):
    folder = os.path.join(TEMPLATES, "kubernetes")
    job = load_yaml(os.path.join(folder, "seedgate-shards.yaml"))[0]
    merge = load_yaml(os.path.join(folder, "seedgate-merge.yaml"))[0]
    check(job["spec"]["completionMode"] == "Indexed", "kubernetes: not an Indexed Job")
    completions = job["spec"]["completions"]
    container = job["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container.get("env", [])}
    check(env.get("SEEDGATE_SHARD_COUNT") == str(completions), "kubernetes: SEEDGATE_SHARD_COUNT != completions")
    root = workspace()
    os.makedirs(os.path.join(root, "results"))
    quote = lambda argv: " ".join("'" + a.replace("'", "'\\''") + "'" for a in argv)
    for index in range(completions):
        run(root, quote(container["command"] + container.get("args", [])), dict(env, JOB_COMPLETION_INDEX=str(index)),
            f"kubernetes index {index}")
    check_slices(root, "results/.seedgate", completions, "kubernetes")
    merge_container = merge["spec"]["template"]["spec"]["containers"][0]
    run(root, quote(merge_container["command"]), {}, "kubernetes merge")
    check_merged(root, "kubernetes", expected)
    check(os.path.exists(os.path.join(root, "results", "seedgate-report.html")), "kubernetes: reports not kept")


def test_jenkins():
    with open(os.path.join(TEMPLATES, "jenkins", "Jenkinsfile")) as f:
        text = f.read()
    check(re.search(r"post\s*\{\s*always\s*\{\s*junit", text) is not None, "jenkins: no junit step in post/always")
    root = workspace()
    for command in re.findall(r"sh '(\.seedgate-src/build/seedgate [^']*)'", text):
        run(root, command.replace(".seedgate-src/build/seedgate", "seedgate"), {}, "jenkins")
    for report in ("seedgate-junit.xml", "seedgate-lint-junit.xml"):
        check(os.path.exists(os.path.join(root, report)), f"jenkins: {report} not written")


expected = reference()
test_yaml_parses()
test_github(expected)
test_gitlab(expected)
test_slurm(expected)
test_kubernetes(expected)
test_jenkins()
if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("every template parses, and every engine's shards merge to the unsharded verdicts")
