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
from their documentation (see run_job below).

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


CALLS_SEEDGATE = re.compile(r"(^|[\s;&|(])seedgate\s")


def run_job(job, context, store, label):
    """Runs a job's steps in order in a fresh workspace; returns (workspace, succeeded, log)."""
    root = workspace()
    context = dict(context, **{"vars.SEEDGATE_REPOSITORY": "owner/seedgate"})
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
            p = run(root, script, {"GITHUB_PATH": os.path.join(root, "github-path")}, f"{label} `{name}`",
                    allowed=range(256))
            status = p.returncode == 0
            if not status:
                print(f"{label} `{name}`: exited {p.returncode}\n{p.stdout}{p.stderr}".rstrip())
        elif uses.startswith("actions/checkout@"):
            status = True  # the workspace is the checkout
        elif uses.startswith("actions/upload-artifact@"):
            status = upload_artifact(root, inputs, store, f"{label} `{name}`")
        elif uses.startswith("actions/download-artifact@"):
            status = download_artifact(root, inputs, store, f"{label} `{name}`")
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
