#!/usr/bin/env python3
"""Checks ci-templates/ as far as it can be checked without the engines.

Every YAML file parses. Then, for each engine, the commands its template runs
are run here, one shard after another, with the variables that engine sets
(GitHub's matrix expressions, GitLab's CI_NODE_INDEX/CI_NODE_TOTAL, Slurm's
array variables, Kubernetes' JOB_COMPLETION_INDEX), against a small policy
around the fake trainer. Each shard must write its own slice, the slices must
cover the sweep exactly once, and the template's merge command must judge
them to the same verdicts and statistics as one unsharded run. The GitHub
workflows run job by job and step by step, with the artifact actions emulated
from their documentation (see run_job below). The nightly monitoring templates
run four nights in fresh workspaces, the history carried only by the engine's
cache (emulated), the fourth night failing the gate: every night's history
list, trend, HTML report and uploaded files are checked.

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


def workspace(policy=POLICY):
    """A fresh repository root with seedgate.toml and `seedgate` on PATH."""
    root = tempfile.mkdtemp(prefix="seedgate-templates-")
    with open(os.path.join(root, "seedgate.toml"), "w") as f:
        f.write(policy.format(trainer=FAKE_TRAINER))
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


# --- GitHub Actions, step by step -------------------------------------------
# Each job runs in a fresh workspace (a runner of its own); the steps run in
# order with GitHub's rules: a step without `if` runs only while every step
# before it succeeded, `if: always()` runs regardless. `run` steps that call
# seedgate run for real (setup steps that install or build are skipped: the
# workspace already has the binary); the artifact actions are emulated from
# their documentation:
#  - actions/upload-artifact: `path` is newline-separated globs (`*`, `**`,
#    `?`, `!` excludes); since v4.4 hidden files and folders (a path component
#    starting with `.`) are skipped unless `include-hidden-files: true`; the
#    artifact's root is the least common ancestor of the patterns' search
#    paths; with nothing found, `if-no-files-found` decides (default `warn`:
#    no artifact, the step succeeds; `error`: the step fails).
#  - actions/download-artifact: `name` downloads one artifact into `path`;
#    otherwise every artifact whose name matches `pattern` (all without one),
#    each into `path/<name>/`, or all together into `path` with
#    `merge-multiple: true`. Matching no artifact is not an error.

EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def substitute(value, context, label):
    def one(m):
        if m.group(1) not in context:
            check(False, f"{label}: unknown expression `{m.group(0)}`")
            return m.group(0)
        return str(context[m.group(1)])
    return EXPRESSION.sub(one, value) if isinstance(value, str) else value


def glob_regex(pattern):
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


def search_path(pattern):
    """The part of a glob before its first wildcard component."""
    parts = []
    for part in pattern.split("/"):
        if any(c in part for c in "*?["):
            break
        parts.append(part)
    return "/".join(parts) if parts else "."


def upload_artifact(root, inputs, store, label):
    """Returns True when the step succeeded."""
    patterns = [p.strip() for p in str(inputs.get("path", "")).splitlines() if p.strip()]
    includes = [p for p in patterns if not p.startswith("!")]
    excludes = [glob_regex(os.path.normpath(p[1:])) for p in patterns if p.startswith("!")]
    hidden_ok = inputs.get("include-hidden-files") is True or str(inputs.get("include-hidden-files")).lower() == "true"
    found = set()
    for pattern in includes:
        pattern = os.path.normpath(pattern)
        rx = glob_regex(pattern)
        base = os.path.join(root, search_path(pattern))
        candidates = [base] if os.path.isfile(base) else []
        for folder, _, files in os.walk(base):
            candidates += [os.path.join(folder, n) for n in files]
        whole_folder = os.path.isdir(base) and search_path(pattern) == pattern  # a folder: all of it
        for full in candidates:
            rel = os.path.relpath(full, root)
            if not (whole_folder or rx.match(rel)):
                continue
            if any(x.match(rel) for x in excludes):
                continue
            if not hidden_ok and any(c.startswith(".") and c not in (".", "..") for c in rel.split("/")):
                continue
            found.add(rel)
    if not found:
        mode = inputs.get("if-no-files-found", "warn")
        print(f"{label}: upload-artifact found no files for {patterns} ({mode})")
        return mode != "error"
    lca = os.path.commonpath([search_path(os.path.normpath(p)) for p in includes]) if len(includes) > 1 \
        else search_path(os.path.normpath(includes[0]))
    if os.path.isfile(os.path.join(root, lca)):
        lca = os.path.dirname(lca)
    name = inputs.get("name", "artifact")
    if name in store:
        check(False, f"{label}: artifact {name} uploaded twice (v4+ refuses: names are unique per run)")
        return False
    store[name] = {os.path.relpath(rel, lca or "."): open(os.path.join(root, rel), "rb").read() for rel in found}
    return True


def download_artifact(root, inputs, store, label):
    target = os.path.join(root, inputs.get("path", "."))
    if "name" in inputs:
        if inputs["name"] not in store:
            print(f"{label}: artifact {inputs['name']} not found")
            return False
        chosen, merge = [inputs["name"]], True
    else:
        rx = glob_regex(inputs["pattern"]) if "pattern" in inputs else None
        chosen = sorted(n for n in store if rx is None or rx.match(n))
        merge = str(inputs.get("merge-multiple", False)).lower() == "true"
    print(f"{label}: download-artifact found {len(chosen)} artifact(s)")
    for name in chosen:
        for rel, data in store[name].items():
            dest = os.path.join(target if merge else os.path.join(target, name), rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as f:
                f.write(data)
    return True


# The Actions cache, emulated from actions/cache's documentation: an entry is
# (key, paths, files) and cannot be overwritten (saving an existing key warns
# and saves nothing; so does saving paths that do not exist); a restore takes
# the entry whose key equals `key`, else, for each `restore-keys` prefix in
# order, the newest entry whose key starts with it; an entry saved with other
# `path` inputs is another version and never matches. A miss succeeds unless
# `fail-on-cache-miss: true`. Hidden files are cached like any other.


def lines_of(value):
    return [p.strip() for p in str(value or "").splitlines() if p.strip()]


def cache_files(root, patterns):
    found = {}
    for pattern in patterns:
        pattern = os.path.normpath(pattern)
        rx, base = glob_regex(pattern), os.path.join(root, search_path(pattern))
        candidates = [base] if os.path.isfile(base) else []
        for folder, _, files in os.walk(base):
            candidates += [os.path.join(folder, n) for n in files]
        for full in candidates:
            rel = os.path.relpath(full, root)
            if rx.match(rel) or os.path.isdir(base) and search_path(pattern) == pattern:
                with open(full, "rb") as f:
                    found[rel] = f.read()
    return found


def cache_restore(root, inputs, caches, label):
    paths = lines_of(inputs.get("path"))
    versions = [e for e in caches if e[1] == paths]
    entry = next((e for e in reversed(versions) if e[0] == inputs["key"]), None)
    for prefix in lines_of(inputs.get("restore-keys")):
        entry = entry or next((e for e in reversed(versions) if e[0].startswith(prefix)), None)
    if entry is None:
        print(f"{label}: cache not found for input keys: {inputs['key']}")
        return str(inputs.get("fail-on-cache-miss", False)).lower() != "true"
    for rel, data in entry[2].items():
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        with open(os.path.join(root, rel), "wb") as f:
            f.write(data)
    return True


def cache_save(root, inputs, caches, label):
    paths = lines_of(inputs.get("path"))
    files = cache_files(root, paths)
    if not files:
        print(f"{label}: warning: path(s) {paths} do not exist, no cache saved")
    elif any(e[0] == inputs["key"] and e[1] == paths for e in caches):
        print(f"{label}: warning: cache entry {inputs['key']} already exists, not saved")
    else:
        caches.append((inputs["key"], paths, files))
    return True


CALLS_SEEDGATE = re.compile(r"(^|[\s;&|(])seedgate\s")


def run_job(job, context, store, label, caches=None, env=None, policy=POLICY):
    """Runs a job's steps in order in a fresh workspace; returns (workspace, succeeded, log).

    `env` is what the runner sets (GITHUB_SHA ...), under the job's and each
    step's `env:`; `caches` is the repository's Actions cache (see
    cache_restore), shared by the calls that pass it."""
    root = workspace(policy)
    context = dict(context, **{"vars.SEEDGATE_REPOSITORY": "owner/seedgate"})
    job_env = {k: str(substitute(v, context, f"{label} env")) for k, v in job.get("env", {}).items()}
    ok, log = True, []
    for step in job["steps"]:
        name = step.get("name") or step.get("uses") or step.get("run", "").splitlines()[0]
        condition = step.get("if", "success()")
        if condition not in ("success()", "always()"):
            check(False, f"{label}: step `{name}` has a condition this test does not know: {condition}")
        if condition == "success()" and not ok:
            log.append((name, "skipped"))
            continue
        inputs = {k: substitute(v, context, f"{label} `{name}`") for k, v in step.get("with", {}).items()}
        uses = step.get("uses", "")
        if "run" in step:
            script = substitute(step["run"], context, f"{label} `{name}`")
            if not CALLS_SEEDGATE.search(script):
                log.append((name, "setup"))
                continue
            step_env = dict(env or {}, **job_env)
            step_env.update({k: str(substitute(v, context, f"{label} `{name}`")) for k, v in step.get("env", {}).items()})
            step_env["GITHUB_PATH"] = os.path.join(root, "github-path")
            p = run(root, script, step_env, f"{label} `{name}`", allowed=range(256))
            status = p.returncode == 0
            if not status:
                print(f"{label} `{name}`: exited {p.returncode}\n{p.stdout}{p.stderr}".rstrip())
        elif uses.startswith("actions/checkout@"):
            status = True  # the workspace is the checkout
        elif uses.startswith("actions/upload-artifact@"):
            status = upload_artifact(root, inputs, store, f"{label} `{name}`")
        elif uses.startswith("actions/download-artifact@"):
            status = download_artifact(root, inputs, store, f"{label} `{name}`")
        elif uses.startswith("actions/cache/restore@") and caches is not None:
            status = cache_restore(root, inputs, caches, f"{label} `{name}`")
        elif uses.startswith("actions/cache/save@") and caches is not None:
            status = cache_save(root, inputs, caches, f"{label} `{name}`")
        elif uses.startswith("github/codeql-action/upload-sarif@"):
            status = os.path.isfile(os.path.join(root, inputs["sarif_file"]))
        elif uses.startswith("mikepenz/action-junit-report@"):
            # No report only fails the step with `require_tests: true` (default false).
            found = os.path.isfile(os.path.join(root, inputs["report_paths"]))
            status = found or str(inputs.get("require_tests", False)).lower() != "true"
        else:
            check(False, f"{label}: step `{name}` uses an action this test does not emulate: {uses}")
            status = False
        log.append((name, "ok" if status else "FAILED"))
        ok = ok and status
    return root, ok, log


def run_sharded_workflow(path, expected):
    """Executes seedgate-sharded.yml: every shard job, then the merge job."""
    flow = load_yaml(path)[0]
    shard_job, merge_job = flow["jobs"]["shard"], flow["jobs"]["merge"]
    shards = shard_job["strategy"]["matrix"]["shard"]
    check(shard_job["strategy"].get("fail-fast") is False, "github sharded: shards fail fast")
    check(merge_job.get("if") == "always()" and merge_job.get("needs") == "shard",
          "github sharded: the merge job does not run after every shard")
    store = {}
    for k in shards:
        context = {"matrix.shard": k, "strategy.job-total": len(shards), "strategy.job-index": shards.index(k)}
        _, ok, log = run_job(shard_job, context, store, f"github sharded shard {k}")
        check(ok, f"github sharded: shard {k} failed: {log}")
    check(sorted(store) == sorted(f"seedgate-shard-{k}" for k in shards),
          f"github sharded: the shards left artifacts {sorted(store)}, wanted one per shard")
    root, ok, log = run_job(merge_job, {}, store, "github sharded merge")
    check(ok, f"github sharded: the merge job failed: {log}")
    check_slices(root, "shards", len(shards), "github sharded (downloaded)")
    if os.path.exists(os.path.join(root, "seedgate-results.json")):
        check_merged(root, "github sharded", expected)
    else:
        check(False, "github sharded: the merge job wrote no seedgate-results.json")
    _, ok, log = run_job(flow["jobs"]["lint"], {}, {}, "github sharded lint")
    check(ok, f"github sharded: the lint job failed: {log}")


def hidden_uploads_allowed(path):
    """Every upload of a path with a hidden component asks for hidden files."""
    flow = load_yaml(path)[0]
    for job_name, job in flow["jobs"].items():
        for step in job["steps"]:
            if not step.get("uses", "").startswith("actions/upload-artifact@"):
                continue
            hidden = [p for p in str(step["with"].get("path", "")).split()
                      if any(c.startswith(".") and c not in (".", "..") for c in p.lstrip("!").split("/"))]
            check(not hidden or step["with"].get("include-hidden-files") is True,
                  f"{os.path.basename(path)} {job_name}: uploads hidden paths {hidden} without include-hidden-files: true")


PIN = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)@(\S+)(.*)$")


def pins_commented(path):
    """Every action is pinned to a major and says why that one."""
    with open(path) as f:
        for number, line in enumerate(f, 1):
            m = PIN.match(line)
            if m:
                check(re.fullmatch(r"v\d+", m.group(2)) is not None,
                      f"{os.path.basename(path)}:{number}: {m.group(1)} pinned to {m.group(2)}, not a major")
                check(re.search(r"#\s*\S", m.group(3)) is not None,
                      f"{os.path.basename(path)}:{number}: the pin of {m.group(1)} says nothing about why")


def expressions_closed(path):
    """Every `${{` closes on its line and names a context the workflow has."""
    with open(path) as f:
        for number, line in enumerate(f, 1):
            opened = line.count("${{")
            check(opened == len(EXPRESSION.findall(line)),
                  f"{os.path.basename(path)}:{number}: an expression does not close: {line.strip()}")
            for m in EXPRESSION.finditer(line):
                check(re.match(r"(matrix|strategy|vars|github|needs|steps|env|runner|job|secrets|inputs)\.", m.group(1))
                      or re.fullmatch(r"(always|success|failure|cancelled)\(\)", m.group(1)),
                      f"{os.path.basename(path)}:{number}: unknown context in `{m.group(0)}`")


def action_validator(path):
    """The workflow against GitHub's workflow schema, where @action-validator/cli (npm) is installed."""
    tool = shutil.which("action-validator")
    if tool is None:
        print("note: action-validator not found (npm install -g @action-validator/cli); schema check skipped")
        return
    p = subprocess.run([tool, path], capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, f"{os.path.basename(path)}: action-validator says\n{p.stdout}\n{p.stderr}")


def test_github(expected):
    single_path = os.path.join(TEMPLATES, "github", "seedgate.yml")
    sharded_path = os.path.join(TEMPLATES, "github", "seedgate-sharded.yml")
    single = load_yaml(single_path)[0]
    job = single["jobs"]["seedgate"]
    check(single["permissions"].get("security-events") == "write", "github: no security-events: write")
    uses = [s.get("uses", "") for s in job["steps"]]
    check(any(u.startswith("github/codeql-action/upload-sarif") for u in uses), "github: no SARIF upload")
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    check(uploads and all(s.get("if") == "always()" for s in uploads), "github: reports not kept on failure")
    store = {}
    root, ok, log = run_job(job, {}, store, "github single job")
    check(ok, f"github single job failed: {log}")
    check(os.path.exists(os.path.join(root, "seedgate-lint.sarif")), "github: no SARIF written")
    check(os.path.exists(os.path.join(root, "seedgate-junit.xml")), "github: no JUnit written")
    kept = store.get("seedgate-reports", {})
    check("seedgate-junit.xml" in kept and "seedgate-results.json" in kept, f"github: seedgate-reports holds {sorted(kept)}")
    logs = [n for n in kept if n.endswith("stderr.log")]
    on_disk = [n for n in shard_files_under(root, ".seedgate/runs") if n.endswith("stderr.log")]
    check(len(logs) == len(on_disk), f"github: seedgate-reports keeps {len(logs)} of the {len(on_disk)} runs' stderr logs")

    run_sharded_workflow(sharded_path, expected)
    for path in (single_path, sharded_path):
        hidden_uploads_allowed(path)
        pins_commented(path)
        expressions_closed(path)
        action_validator(path)


def shard_files_under(root, folder):
    out = []
    for base, _, files in os.walk(os.path.join(root, folder)):
        out += [os.path.relpath(os.path.join(base, n), root) for n in files]
    return out


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


# --- Nightly monitoring: three nights against a carried history -------------
# Each night is a fresh runner: the history reaches it only through the
# engine's cache, emulated as above (GitHub) or as GitLab documents `cache:`
# (one archive per key, pulled before the script and pushed after it when
# `when:` allows). The nights run the template's commands for real with the
# engine's variables; a fourth night fails the gate, and the history must
# still be saved.

MONITOR_POLICY = POLICY.replace('html = "seedgate-report.html"\n', "") + """
[[check]]
kind = "drift"
metric = "accuracy"
"""
FAILING_MONITOR_POLICY = MONITOR_POLICY.replace("mean_at_least = 0.9\n", "mean_at_least = 0.99\n")
NIGHTS = [(1, MONITOR_POLICY, True), (2, MONITOR_POLICY, True), (3, MONITOR_POLICY, True),
          (4, FAILING_MONITOR_POLICY, False)]


def night_sha(night):
    return f"{night:02d}" * 20


def history_rows(folder, store):
    """`seedgate history list` in folder: [(branch, commit, verdict), ...], oldest first."""
    p = run(folder, f"seedgate history list --store {store}", {}, f"history list in {folder}")
    rows = [line.split() for line in p.stdout.splitlines()[1:] if line.strip()]
    return [(r[2], r[3], r[4]) for r in rows if len(r) >= 6]


def history_from_files(files, store):
    """The sweeps of a history held as {path: bytes} (a cache entry or an artifact)."""
    folder = workspace()
    for rel, data in files.items():
        os.makedirs(os.path.dirname(os.path.join(folder, rel)), exist_ok=True)
        with open(os.path.join(folder, rel), "wb") as f:
            f.write(data)
    return history_rows(folder, store)


def check_night(root, night, rows, engine):
    want = [("main", night_sha(n), "pass" if ok else "fail") for n, _, ok in NIGHTS[:night]]
    got = [(b, c, v) for b, c, v in rows]
    check(len(got) == night and all(g[0] == w[0] and w[1].startswith(g[1]) and g[2] == w[2]
                                    for g, w in zip(got, want)),
          f"{engine} night {night}: history list shows {got}, wanted {night} sweeps {want}")
    check(os.path.isfile(os.path.join(root, "seedgate-report.html")), f"{engine} night {night}: no HTML report")
    trend_path, results_path = os.path.join(root, "seedgate-trend.txt"), os.path.join(root, ".seedgate", "results.json")
    if not (os.path.isfile(trend_path) and os.path.isfile(results_path)):
        check(False, f"{engine} night {night}: no seedgate-trend.txt or .seedgate/results.json")
        return
    with open(trend_path) as f:
        trend = f.read()
    check(trend.count(night_sha(night)[:7]) >= 1, f"{engine} night {night}: the trend does not show tonight\n{trend}")
    with open(results_path) as f:
        points = [len(t["points"]) for t in json.load(f).get("trend", [])]
    check(points and all(n == night for n in points), f"{engine} night {night}: the results' trend has {points} points")


def upload_lca(includes):
    lca = os.path.commonpath([search_path(os.path.normpath(p)) for p in includes]) if len(includes) > 1 \
        else search_path(os.path.normpath(includes[0]))
    return lca


def test_github_monitor():
    path = os.path.join(TEMPLATES, "github", "seedgate-monitor.yml")
    flow = load_yaml(path)[0]
    on = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true
    crons = [s.get("cron", "") for s in on.get("schedule", [])]
    check(len(crons) == 1 and len(crons[0].split()) == 5, f"github monitor: schedule {crons}, wanted one cron")
    check("workflow_dispatch" in on, "github monitor: cannot be started by hand (workflow_dispatch)")
    job = flow["jobs"]["monitor"]
    uses = lambda prefix: [s for s in job["steps"] if s.get("uses", "").startswith(prefix)]
    check(not uses("actions/cache@"), "github monitor: actions/cache saves only when the job succeeds; "
          "use actions/cache/save with if: always()")
    restore, save, upload = uses("actions/cache/restore@"), uses("actions/cache/save@"), uses("actions/upload-artifact@")
    check(len(restore) == len(save) == len(upload) == 1, "github monitor: wants one restore, one save, one upload")
    if failures:
        return
    restore, save, upload = restore[0]["with"], save[0], upload[0]
    check(save.get("if") == "always()" and upload.get("if") == "always()",
          "github monitor: the history or the reports are not kept when the gate fails")
    check(save["with"]["key"] == restore["key"] and "github.run_id" in restore["key"],
          "github monitor: the save key must be the restore key and change every run")
    check(any(restore["key"].startswith(k) for k in lines_of(restore.get("restore-keys"))),
          "github monitor: no restore-keys prefix finds the newest earlier night")
    store_url = job["env"]["SEEDGATE_HISTORY"]
    check(store_url == "sqlite:" + lines_of(save["with"]["path"])[0],
          f"github monitor: the cache carries {save['with']['path']}, the store is {store_url}")
    hidden_uploads_allowed(path)
    pins_commented(path)
    expressions_closed(path)
    action_validator(path)

    caches = []
    for night, policy, passes in NIGHTS:
        label = f"github monitor night {night}"
        env = {"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_SHA": night_sha(night), "GITHUB_REF_NAME": "main",
               "GITHUB_STEP_SUMMARY": "step-summary.md"}
        store = {}
        root, ok, log = run_job(job, {"github.run_id": 7000 + night, "github.run_attempt": 1}, store, label,
                                caches=caches, env=env, policy=policy)
        check(ok == passes, f"{label}: the job {'failed' if passes else 'passed'}: {log}")
        check(len(caches) == night, f"{label}: the cache holds {len(caches)} entries after it")
        check_night(root, night, history_rows(root, store_url), "github monitor")
        kept = store.get(upload["with"]["name"], {})
        named = lines_of(upload["with"]["path"])
        lca = upload_lca(named)
        for name in named:
            check(os.path.isfile(os.path.join(root, name)), f"{label}: {name} is named for upload but absent")
            check(os.path.relpath(name, lca) in kept, f"{label}: the artifact lacks {name}: {sorted(kept)}")
        saved = history_from_files(caches[-1][2], store_url) if caches else []
        check(len(saved) == night, f"{label}: the saved cache holds {len(saved)} sweeps")
        if night == 3:
            artifact = {os.path.join(lca, k): v for k, v in kept.items()}
            check(len(history_from_files(artifact, store_url)) == 3, f"{label}: the artifact's history lacks sweeps")
            with open(os.path.join(root, "step-summary.md")) as f:
                check(night_sha(3)[:7] in f.read(), f"{label}: the step summary lacks the trend")


def gitlab_rule_matches(rule, env):
    """`$VAR == "value"` and `$VAR != "value"`, the forms the templates use."""
    m = re.fullmatch(r'\$(\w+)\s*(==|!=)\s*"([^"]*)"', rule["if"].strip())
    check(m is not None, f"gitlab: a rule this test cannot evaluate: {rule['if']}")
    return m is not None and (env.get(m.group(1)) == m.group(3)) == (m.group(2) == "==")


def test_gitlab_monitor():
    ci = load_yaml(os.path.join(TEMPLATES, "gitlab", "seedgate-monitor.gitlab-ci.yml"))[0]
    job = ci["seedgate-monitor"]
    for source, wanted in (("schedule", True), ("push", False), ("merge_request_event", False), ("web", False)):
        runs = any(gitlab_rule_matches(r, {"CI_PIPELINE_SOURCE": source}) for r in job.get("rules", []))
        check(runs == wanted, f"gitlab monitor: runs for a {source} pipeline: {runs}")
    cache, artifacts = job["cache"], job["artifacts"]
    check("$" not in cache["key"], f"gitlab monitor: cache key {cache['key']} is not fixed")
    check(cache.get("policy") == "pull-push", "gitlab monitor: the cache is not pulled and pushed")
    check(cache.get("when") == "always", "gitlab monitor: the history is not cached when the gate fails")
    check(artifacts.get("when") == "always", "gitlab monitor: the reports are not kept when the gate fails")
    variables = {k: str(v) for k, v in job.get("variables", {}).items()}
    store_url = variables["SEEDGATE_HISTORY"]
    check(store_url == "sqlite:" + cache["paths"][0], f"gitlab monitor: cache {cache['paths']}, store {store_url}")

    caches = {}
    for night, policy, passes in NIGHTS:
        label = f"gitlab monitor night {night}"
        root = workspace(policy)
        for rel, data in caches.get(cache["key"], {}).items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "wb") as f:
                f.write(data)
        env = dict(variables, GITLAB_CI="true", CI="true", CI_COMMIT_SHA=night_sha(night), CI_COMMIT_REF_NAME="main",
                   CI_PIPELINE_SOURCE="schedule")
        # The script's lines run in one shell, each stopping the job on failure.
        p = run(root, "\n".join(job["script"]), env, label, allowed=range(256))
        ok = p.returncode == 0
        check(ok == passes, f"{label}: the job exited {p.returncode}\n{p.stdout}{p.stderr}")
        if cache["when"] == "always" or (cache["when"] == "on_failure") != ok:
            files = cache_files(root, cache["paths"])
            if files:
                caches[cache["key"]] = files
        check(len(history_from_files(caches.get(cache["key"], {}), store_url)) == night,
              f"{label}: the pushed cache does not hold {night} sweeps")
        check_night(root, night, history_rows(root, store_url), "gitlab monitor")
        if artifacts["when"] == "always" or (artifacts["when"] == "on_failure") != ok:
            for pattern in artifacts["paths"]:
                check(cache_files(root, [pattern]), f"{label}: artifact path {pattern} matches nothing")
            junit = artifacts.get("reports", {}).get("junit")
            check(junit is None or os.path.isfile(os.path.join(root, junit)), f"{label}: no {junit}")


expected = reference()
test_yaml_parses()
test_github(expected)
test_gitlab(expected)
test_slurm(expected)
test_kubernetes(expected)
test_jenkins()
test_github_monitor()
test_gitlab_monitor()
if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("every template parses, every engine's shards merge to the unsharded verdicts, "
      "and the nightly templates carry the history from night to night")
