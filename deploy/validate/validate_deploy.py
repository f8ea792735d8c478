#!/usr/bin/env python3
"""Checks Agentry's deployment artifacts without Docker or Kubernetes.

Run through scripts/validate-deploy, which provides PyYAML and jsonschema. It checks:

- docker-compose.yml: the Compose Specification schema, every service's image, build target and
  command, environment variable names, ports, secrets, health checks, restart policies,
  depends_on, stop grace periods, and that every interpolated setting has a default and is listed
  in deploy/compose.env.example;
- Dockerfile: base images pinned to a tag, stages, the executables it installs against the
  products in Package.swift, the packages each image needs, a non-root user;
- helm/agentry: Chart.yaml, values.yaml against values.schema.json, every template's
  {{ }} actions and blocks balanced, every .Values path present in values.yaml, every include
  defined, one Deployment per service with the right ports, probes and secrets, the migration
  hook, the KEDA queues against the broker topology; with `helm` on PATH also `helm lint` and
  `helm template`, whose output is checked object by object;
- everywhere: every AGENTRY_* variable named in an artifact is documented in
  docs/configuration.md, and each service's operations port and database use agree with its
  source (ServiceRuntime.start in Services/).

`--self-test` then applies the mutations in Tests/deploy/mutations.json to a copy of the
artifacts and requires each one to be caught, so a check that stops biting fails the run.
Exit status: 0 when everything passes, 1 on any failure, 2 on a usage or environment error.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import jsonschema
import yaml

# ---------------------------------------------------------------------------------------------
# What the artifacts must agree on.

# Operations ports of docs/configuration.md and the services' sources; the ingest API port.
OPS_PORTS = {
    "ingest": 9100,
    "director": 9101,
    "model-gateway": 9102,
    "code-worker": 9103,
    "data-worker": 9104,
    "comm-worker": 9105,
    "browser-worker": 9106,
    "audit-writer": 9107,
    "notifier": 9108,
}
API_PORT = 8080
SERVICES = list(OPS_PORTS)
# Which image (Dockerfile target) each service runs in.
IMAGE_TARGETS = {name: "runtime" for name in SERVICES}
IMAGE_TARGETS.update({"code-worker": "code-worker", "browser-worker": "browser-worker"})
# Helm values key of each service.
VALUES_KEYS = {name: re.sub(r"-(\w)", lambda m: m.group(1).upper(), name) for name in SERVICES}
# Worker services and the specialist kind whose queue (work.<kind>) they consume.
WORKER_KINDS = {"code-worker": "code", "data-worker": "data", "comm-worker": "comm", "browser-worker": "browser"}
# Services whose every delivery holds a database connection (docs/configuration.md, "Outbound
# channels"): their prefetch must not exceed their pool size.
DELIVERY_SERVICES = ("comm-worker", "notifier")
CHROMIUM_NO_SANDBOX = "/usr/local/libexec/agentry/chromium-no-sandbox"
RUNTIME_PACKAGES = ["librabbitmq4", "libpq5", "libcurl4", "ca-certificates", "tzdata"]
BUILD_PACKAGES = ["librabbitmq-dev", "libpq-dev", "libcurl4-openssl-dev"]
HELM_KINDS = {
    "ConfigMap", "Deployment", "Service", "ServiceAccount", "Job", "Ingress", "NetworkPolicy",
    "PodDisruptionBudget", "ScaledObject", "TriggerAuthentication", "ServiceMonitor",
}
COMPOSE_SCHEMA_PACKAGE = "docker-compose==1.29.2"
COMPOSE_SCHEMA_MEMBER = "compose/config/compose_spec.json"

# Files (relative to the repository) a validation reads; the self-test copies exactly these.
ARTIFACT_PATHS = [
    "Package.swift", "Dockerfile", ".dockerignore", "docker-compose.yml", "docs/configuration.md",
    "deploy", "helm", "Shared/AgentryBus/AgentryTopology.swift", "Services", "Tests/deploy",
]


# ---------------------------------------------------------------------------------------------
# Reporting.

@dataclass
class Report:
    errors: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    passed: List[str] = field(default_factory=list)

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def note(self, message: str) -> None:
        self.notes.append(message)

    def ok(self, message: str) -> None:
        self.passed.append(message)


def rel(repo: Path, path: Path) -> str:
    try:
        return str(path.relative_to(repo))
    except ValueError:
        return str(path)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# ---------------------------------------------------------------------------------------------
# The repository's own facts: products, service defaults, documented variables, topology.

def package_executables(repo: Path, report: Report) -> Set[str]:
    path = repo / "Package.swift"
    if not path.is_file():
        report.error("Package.swift", "missing")
        return set()
    names = set(re.findall(r'\.executable\(\s*name:\s*"([^"]+)"', path.read_text()))
    if not names:
        report.error("Package.swift", "no .executable(name: ...) products found")
    return names


@dataclass
class ServiceSource:
    port: int
    store: bool
    file: str


def service_sources(repo: Path, report: Report) -> Dict[str, ServiceSource]:
    """ServiceRuntime.start(name:defaultHTTPPort:store:) of every service main under Services/."""
    found: Dict[str, ServiceSource] = {}
    pattern = re.compile(
        r'ServiceRuntime\.start\(\s*name:\s*"([^"]+)"\s*,\s*defaultHTTPPort:\s*(\d+)\s*,\s*store:\s*\.(\w+)')
    for path in sorted((repo / "Services").rglob("*.swift")):
        for match in pattern.finditer(path.read_text(errors="replace")):
            found[match.group(1)] = ServiceSource(int(match.group(2)), match.group(3) == "required", rel(repo, path))
    for name, port in OPS_PORTS.items():
        source = found.get(name)
        if source is None:
            report.error("Services/", f'no ServiceRuntime.start(name: "{name}", defaultHTTPPort: ..., store: ...) '
                                      f"found for the {name} service")
        elif source.port != port:
            report.error(source.file, f"{name} defaults to operations port {source.port}, but the documented port "
                                      f"(and the deployment artifacts) use {port}")
    return found


@dataclass
class Documentation:
    names: Set[str]
    patterns: List[Tuple[str, "re.Pattern[str]"]]

    def documents(self, token: str) -> bool:
        """Whether a variable name (or a name with placeholders) is documented."""
        base = token[:-len("_FILE")] if token.endswith("_FILE") and token != "AGENTRY_FILE" else token
        for candidate in {token, base}:
            if "<*>" not in candidate:
                if candidate in self.names or any(p.fullmatch(candidate) for _, p in self.patterns):
                    return True
            else:
                wildcard = re.compile(re.escape(candidate).replace(re.escape("<*>"), "[A-Z0-9_<>*]+"))
                if any(wildcard.fullmatch(n) for n in self.names):
                    return True
                if any(shape == candidate for shape, _ in self.patterns):
                    return True
        return False


PLACEHOLDER = r"(?:<\*>|<[A-Za-z_]+>|%s|\*|\{\{[^}]*\}\})"
VARIABLE_TOKEN = re.compile(rf"AGENTRY_(?:[A-Z0-9_]|{PLACEHOLDER})*")


def normalise_placeholders(token: str) -> str:
    return re.sub(PLACEHOLDER, "<*>", token)


def documentation(repo: Path, report: Report) -> Documentation:
    path = repo / "docs" / "configuration.md"
    if not path.is_file():
        report.error("docs/configuration.md", "missing: the deployment artifacts are checked against it")
        return Documentation(set(), [])
    names: Set[str] = set()
    patterns: List[Tuple[str, "re.Pattern[str]"]] = []
    for token in VARIABLE_TOKEN.findall(path.read_text()):
        if re.search(r"%s|\*|\{\{", token):
            # Prose such as "AGENTRY_*" documents no variable; only <NAME> placeholders make patterns.
            continue
        token = token.rstrip("_")
        if token == "AGENTRY":
            continue
        if re.search(PLACEHOLDER, token):
            shape = normalise_placeholders(token)
            if re.fullmatch(r"AGENTRY_(?:<\*>_?)+(?:FILE)?", shape):
                continue
            regex = re.escape(shape).replace(re.escape("<*>"), "[A-Z0-9_]+")
            patterns.append((shape, re.compile(regex)))
        else:
            names.add(token)
    return Documentation(names, patterns)


def topology_work_kinds(repo: Path, report: Report) -> List[str]:
    path = repo / "Shared" / "AgentryBus" / "AgentryTopology.swift"
    match = re.search(r"workKinds\s*=\s*\[([^\]]*)\]", path.read_text()) if path.is_file() else None
    if not match:
        report.error(rel(repo, path), "cannot find AgentryTopology.workKinds")
        return []
    return re.findall(r'"([^"]+)"', match.group(1))


# ---------------------------------------------------------------------------------------------
# AGENTRY_* names in every artifact.

def artifact_files(repo: Path) -> List[Path]:
    files = [repo / "Dockerfile", repo / "docker-compose.yml", repo / ".dockerignore"]
    for root in (repo / "deploy", repo / "helm"):
        if root.is_dir():
            files += [p for p in sorted(root.rglob("*")) if p.is_file()]
    return [p for p in files if p.is_file() and "validate" not in p.relative_to(repo).parts[:2]]


def check_documented_variables(repo: Path, docs: Documentation, report: Report) -> None:
    undocumented: Dict[str, List[str]] = {}
    checked = 0
    for path in artifact_files(repo):
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for match in VARIABLE_TOKEN.finditer(text):
            written = match.group(0)
            token = normalise_placeholders(written)
            if not token.endswith("<*>"):
                token, written = token.rstrip("_"), written.rstrip("_")
            if token in ("AGENTRY", "AGENTRY_<*>", "AGENTRY_<*>_FILE"):
                # Prose about the variables in general ("AGENTRY_*", "AGENTRY_*_FILE").
                continue
            checked += 1
            if not docs.documents(token):
                places = undocumented.setdefault(token, [written])
                places.append(f"{rel(repo, path)}:{line_of(text, match.start())}")
    for token, (written, *places) in sorted(undocumented.items()):
        shown = ", ".join(places[:4]) + (f" and {len(places) - 4} more" if len(places) > 4 else "")
        report.error(shown, f"{written} is not documented in docs/configuration.md")
    if not undocumented:
        report.ok(f"{checked} AGENTRY_* references in the artifacts are all documented")


# ---------------------------------------------------------------------------------------------
# Dockerfile.

@dataclass
class Instruction:
    keyword: str
    arguments: str
    line: int


@dataclass
class Stage:
    name: str
    base: str
    line: int
    instructions: List[Instruction] = field(default_factory=list)


def parse_dockerfile(text: str) -> Tuple[Dict[str, str], List[Stage]]:
    """Instructions with continuations joined and comment lines dropped."""
    global_args: Dict[str, str] = {}
    stages: List[Stage] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        start = index
        line = lines[index]
        index += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [line]
        while parts[-1].rstrip().endswith("\\") and index < len(lines):
            parts[-1] = parts[-1].rstrip()[:-1]
            following = lines[index]
            index += 1
            if following.lstrip().startswith("#"):
                parts.append("\\")  # a comment inside a continuation: keep continuing
                continue
            parts.append(following)
        joined = " ".join(p.strip() for p in parts if p.strip() != "\\")
        keyword, _, arguments = joined.partition(" ")
        instruction = Instruction(keyword.upper(), arguments.strip(), start + 1)
        if instruction.keyword == "FROM":
            match = re.match(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$", instruction.arguments, re.I)
            base, name = (match.group(1), match.group(2) or "") if match else (instruction.arguments, "")
            stages.append(Stage(name, base, instruction.line))
        elif instruction.keyword == "ARG" and not stages:
            name, _, default = instruction.arguments.partition("=")
            global_args[name.strip()] = default.strip().strip('"')
        elif stages:
            stages[-1].instructions.append(instruction)
    return global_args, stages


def expand_args(value: str, args: Dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), m.group(0)), value)


def image_tag_problem(image: str) -> Optional[str]:
    """Why an image reference is not pinned, or None."""
    if "$" in image:
        return "uses an undefined build argument"
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag (it would float to :latest)"
    if last.rsplit(":", 1)[1] in ("latest", ""):
        return "is pinned to :latest"
    return None


def check_dockerfile(repo: Path, executables: Set[str], report: Report) -> Dict[str, Stage]:
    path = repo / "Dockerfile"
    if not path.is_file():
        report.error("Dockerfile", "missing")
        return {}
    text = path.read_text()
    args, stages = parse_dockerfile(text)
    by_name = {s.name: s for s in stages if s.name}
    where = "Dockerfile"
    if not text.startswith("# syntax="):
        report.note("Dockerfile has no `# syntax=` line; BuildKit's bundled frontend is used")
    for required in ("build", "base", "runtime", "code-worker", "browser-worker"):
        if required not in by_name:
            report.error(where, f"no stage named {required!r}")
    if stages and stages[-1].name != "runtime":
        report.error(where, f"the last stage (the default target) is {stages[-1].name!r}, expected 'runtime'")
    for stage in stages:
        base = expand_args(stage.base, args)
        if base in by_name and by_name[base].line < stage.line:
            continue
        problem = image_tag_problem(base)
        if problem:
            report.error(f"{where}:{stage.line}", f"base image {base!r} of stage {stage.name or '?'} {problem}")
    build = by_name.get("build")
    if build:
        run_text = " ".join(i.arguments for i in build.instructions if i.keyword == "RUN")
        for package in BUILD_PACKAGES:
            if not re.search(rf"\b{re.escape(package)}\b", run_text):
                report.error(f"{where}:{build.line}", f"the build stage does not install {package}")
        if "--static-swift-stdlib" not in run_text or "-c release" not in run_text:
            report.error(f"{where}:{build.line}", "the build must be `swift build -c release --static-swift-stdlib`")
        if ".resources" not in run_text:
            report.error(f"{where}:{build.line}", "the resource bundles (*.resources, the SQL migrations) are not "
                                                  "staged next to the executables")
        installed: Set[str] = set()
        for instruction in build.instructions:
            for loop in re.finditer(r"for\s+\w+\s+in\s+(.*?);\s*do", instruction.arguments):
                installed.update(w for w in loop.group(1).split() if w != "\\")
        if not installed:
            report.error(f"{where}:{build.line}", "cannot find the `for executable in ...; do` list of executables")
        for name in sorted(installed - executables):
            report.error(f"{where}:{build.line}", f"installs {name!r}, which is not an executable product in "
                                                  "Package.swift")
        for name in sorted(executables - installed):
            report.error(f"{where}:{build.line}", f"does not install the executable product {name!r}")
    base_stage = by_name.get("base")
    if base_stage:
        run_text = " ".join(i.arguments for i in base_stage.instructions if i.keyword == "RUN")
        for package in RUNTIME_PACKAGES:
            if not re.search(rf"(?<![\w-]){re.escape(package)}(?![\w-])", run_text):
                report.error(f"{where}:{base_stage.line}", f"the runtime base does not install {package}")
    for stage_name, package in (("code-worker", "python3"), ("browser-worker", "chromium")):
        stage = by_name.get(stage_name)
        if stage and not any(i.keyword == "RUN" and re.search(rf"\b{package}\b", i.arguments)
                             for i in stage.instructions):
            report.error(f"{where}:{stage.line}", f"the {stage_name} stage does not install {package}")
    # Non-root user and a runnable command in every runtime image.
    for stage_name in ("runtime", "code-worker", "browser-worker"):
        stage = by_name.get(stage_name)
        if not stage:
            continue
        chain = runtime_chain(stage, by_name, args)
        users = [i for s in chain for i in s.instructions if i.keyword == "USER"]
        if not users or users[-1].arguments.split(":")[0] in ("root", "0"):
            report.error(f"{where}:{stage.line}", f"the {stage_name} image does not end as a non-root USER")
        commands = [i for s in chain for i in s.instructions if i.keyword in ("CMD", "ENTRYPOINT")]
        for instruction in commands:
            try:
                words = json.loads(instruction.arguments)
            except json.JSONDecodeError:
                report.error(f"{where}:{instruction.line}", f"{instruction.keyword} must use the exec (JSON) form")
                continue
            if instruction.keyword == "CMD" and words and words[0] not in executables:
                report.error(f"{where}:{instruction.line}", f"CMD runs {words[0]!r}, not an executable product")
    expected_cmd = {"code-worker": "agentry-code-worker", "browser-worker": "agentry-browser-worker"}
    for stage_name, executable in expected_cmd.items():
        stage = by_name.get(stage_name)
        cmds = [i for i in (stage.instructions if stage else []) if i.keyword == "CMD"]
        try:
            runs = json.loads(cmds[-1].arguments)[:1] if cmds else []
        except json.JSONDecodeError:
            runs = []
        if stage and runs != [executable]:
            report.error(f"{where}:{stage.line}", f"the {stage_name} image's CMD should run {executable}")
    # Files copied from the build context exist and are not excluded by .dockerignore.
    for stage in stages:
        for instruction in stage.instructions:
            if instruction.keyword != "COPY" or "--from=" in instruction.arguments:
                continue
            sources = [w for w in instruction.arguments.split()[:-1] if not w.startswith("--")]
            for source in sources:
                if any(ch in source for ch in "[]*?"):
                    continue
                if not (repo / source).exists():
                    report.error(f"{where}:{instruction.line}", f"COPY source {source!r} does not exist")
                elif dockerignored(repo, source):
                    report.error(f"{where}:{instruction.line}", f"COPY source {source!r} is excluded by .dockerignore")
    browser = by_name.get("browser-worker")
    if browser and not any(i.keyword == "COPY" and i.arguments.split()[-1] == CHROMIUM_NO_SANDBOX
                           for i in browser.instructions):
        report.error(f"{where}:{browser.line}", f"the browser-worker image does not install {CHROMIUM_NO_SANDBOX}")
    for script, checker in (("deploy/docker/agentry-probe", "bash"), ("deploy/docker/chromium-no-sandbox", "sh")):
        script_path = repo / script
        if not script_path.is_file():
            report.error(script, "missing")
            continue
        result = subprocess.run([checker, "-n", str(script_path)], capture_output=True, text=True)
        if result.returncode != 0:
            report.error(script, f"{checker} -n: {result.stderr.strip()}")
    if not [e for e in report.errors if e.startswith(where)]:
        report.ok(f"Dockerfile: {len(stages)} stages, base images pinned, {len(executables)} executables installed, "
                  "non-root runtime images")
    return by_name


def runtime_chain(stage: Stage, by_name: Dict[str, Stage], args: Dict[str, str]) -> List[Stage]:
    chain = [stage]
    while True:
        parent = by_name.get(expand_args(chain[-1].base, args))
        if parent is None or parent in chain:
            return list(reversed(chain))
        chain.append(parent)


def dockerignored(repo: Path, source: str) -> bool:
    """Whether .dockerignore excludes a path (last matching pattern wins; `!` re-includes)."""
    path = repo / ".dockerignore"
    if not path.is_file():
        return False
    excluded = False
    source = source.strip("/")
    for raw in path.read_text().splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        regex = "^" + re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", "[^/]*").replace(r"\?", "[^/]") + "(/.*)?$"
        if re.match(regex, source) or (negate and source.startswith(pattern + "/")):
            excluded = not negate
    return excluded


# ---------------------------------------------------------------------------------------------
# docker-compose.yml.

INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value: Any, used: Dict[str, Optional[str]]) -> Any:
    """Compose interpolation with every setting at its default (what a fresh `up` sees)."""
    if isinstance(value, dict):
        return {interpolate(k, used): interpolate(v, used) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, used) for v in value]
    if not isinstance(value, str):
        return value

    def replace(match: "re.Match[str]") -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        operator, default = match.group(2), match.group(3)
        if operator in (":-", "-"):
            used[name] = default
            return interpolate(default, used)
        used.setdefault(name, None)
        return ""

    return INTERPOLATION.sub(replace, value)


def duration_seconds(value: Any) -> Optional[float]:
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    total = 0.0
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s|us)", value)
    if not parts or "".join(n + u for n, u in parts) != value:
        return None
    for number, unit in parts:
        total += float(number) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6}[unit]
    return total


def compose_schema(repo: Path, report: Report) -> Optional[dict]:
    """The Compose Specification schema shipped in a pinned docker-compose wheel, cached."""
    cache = repo / ".agentry" / "cache" / "compose_spec-1.29.2.json"
    if not cache.is_file():
        if os.environ.get("AGENTRY_DEPLOY_OFFLINE") == "1":
            report.note("compose schema: skipped (offline)")
            return None
        with tempfile.TemporaryDirectory() as download:
            result = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                 "--dest", download, COMPOSE_SCHEMA_PACKAGE],
                capture_output=True, text=True, timeout=300)
            wheels = list(Path(download).glob("*.whl"))
            if result.returncode != 0 or not wheels:
                report.note("compose schema: skipped, could not download it from PyPI "
                            f"({(result.stderr or result.stdout).strip().splitlines()[-1:] or ['no wheel']})")
                return None
            with zipfile.ZipFile(wheels[0]) as wheel:
                data = wheel.read(COMPOSE_SCHEMA_MEMBER)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(data)
    schema = json.loads(cache.read_text())
    # The pinned schema predates the top-level `name` of today's Compose Specification.
    schema["properties"]["name"] = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"}
    schema["properties"]["services"].setdefault("additionalProperties", True)
    return schema


def check_compose(repo: Path, docs: Documentation, executables: Set[str], stages: Dict[str, Stage],
                  sources: Dict[str, ServiceSource], report: Report) -> None:
    path = repo / "docker-compose.yml"
    where = "docker-compose.yml"
    if not path.is_file():
        report.error(where, "missing")
        return
    errors_before = len(report.errors)
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        report.error(where, f"not valid YAML: {error}")
        return
    used: Dict[str, Optional[str]] = {}
    compose = interpolate(raw, used)
    for name, default in sorted(used.items()):
        if default is None:
            report.error(where, f"${{{name}}} has no default; every setting needs one so that `docker compose up` "
                                "works without a .env file")
    example = repo / "deploy" / "compose.env.example"
    if example.is_file():
        listed = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", example.read_text(), re.M))
        for name in sorted(set(used) - set(listed)):
            report.error("deploy/compose.env.example", f"does not list the compose setting {name}")
        for name in sorted(set(listed) - set(used)):
            report.error("deploy/compose.env.example", f"lists {name}, which docker-compose.yml does not use")
        for name in sorted(set(used) & set(listed)):
            if used[name] is not None and listed[name] != used[name]:
                report.error("deploy/compose.env.example", f"{name}={listed[name]} but docker-compose.yml defaults "
                                                          f"it to {used[name]!r}")
    else:
        report.error("deploy/compose.env.example", "missing")

    schema = compose_schema(repo, report)
    if schema is not None:
        validator = jsonschema.Draft7Validator(schema)
        for error in sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path)):
            location = "/".join(str(p) for p in error.absolute_path) or "(top level)"
            report.error(where, f"compose schema: at {location}: {error.message}")

    services: Dict[str, dict] = compose.get("services") or {}
    expected = set(SERVICES) | {"rabbitmq", "postgres", "migrate"}
    for name in sorted(expected - set(services)):
        report.error(where, f"no service {name!r}")
    for name in sorted(set(services) - expected):
        report.error(where, f"unexpected service {name!r}")
    top_secrets = compose.get("secrets") or {}
    for secret, spec in top_secrets.items():
        file = (spec or {}).get("file")
        if file and not (repo / file).is_file():
            report.error(where, f"secret {secret!r}: its default file {file} does not exist")

    # Images: pinned infrastructure, Agentry images built from the right target.
    for name in ("rabbitmq", "postgres"):
        image = (services.get(name) or {}).get("image", "")
        problem = image_tag_problem(image)
        if problem:
            report.error(where, f"{name}: image {image!r} {problem}")
    postgres_image = (services.get("postgres") or {}).get("image", "")
    if postgres_image and not re.match(r"^(?:[\w.-]+/)*postgres:15(?:[.-]|$)", postgres_image):
        report.error(where, f"postgres: image {postgres_image!r} is not PostgreSQL 15")
    rabbitmq_image = (services.get("rabbitmq") or {}).get("image", "")
    if rabbitmq_image and not re.match(r"^(?:[\w.-]+/)*rabbitmq:3\.", rabbitmq_image):
        report.error(where, f"rabbitmq: image {rabbitmq_image!r} is not RabbitMQ 3.x")

    published: List[Tuple[str, str]] = []
    for name, service in services.items():
        service = service or {}
        for port in service.get("ports") or []:
            published.append((name, str(port if not isinstance(port, dict) else port.get("published"))))
        depends = service.get("depends_on") or {}
        items = depends.items() if isinstance(depends, dict) else ((d, {}) for d in depends)
        for target, condition in items:
            if target not in services:
                report.error(where, f"{name}: depends_on {target!r}, which is not a service")
                continue
            condition = (condition or {}).get("condition", "service_started")
            if condition == "service_healthy" and not (services[target] or {}).get("healthcheck"):
                report.error(where, f"{name}: waits for {target} to be healthy, but {target} has no healthcheck")
            if condition == "service_completed_successfully" and (services[target] or {}).get("restart", "no") != "no":
                report.error(where, f"{name}: waits for {target} to complete, but {target} restarts")
    check_cycles(services, report)
    for name in ("rabbitmq", "postgres"):
        if name in services and not (services[name] or {}).get("healthcheck"):
            report.error(where, f"{name}: no healthcheck")
    if len(published) != 1 or published[0][0] != "ingest":
        report.error(where, f"only the ingest API may be published, found: {published or 'none'}")

    migrate = services.get("migrate") or {}
    if migrate:
        command = migrate.get("command") or []
        if command[:2] != ["agentry", "migrate"]:
            report.error(where, f"migrate: command should be ['agentry', 'migrate'], is {command!r}")
        if str(migrate.get("restart", "no")) != "no":
            report.error(where, "migrate: a one-shot service must not restart")
        if "AGENTRY_DATABASE_URL" not in (migrate.get("environment") or {}):
            report.error(where, "migrate: `agentry migrate` reads AGENTRY_DATABASE_URL, which is not set")
        if ((migrate.get("depends_on") or {}).get("postgres") or {}).get("condition") != "service_healthy":
            report.error(where, "migrate: should wait for postgres to be healthy")
        check_compose_image(where, "migrate", migrate, "runtime", stages, report)

    for name in SERVICES:
        service = services.get(name)
        if not service:
            continue
        at = f"{where}: {name}"
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
        check_compose_image(where, name, service, IMAGE_TARGETS[name], stages, report)
        command = service.get("command") or []
        if command != [f"agentry-{name}"]:
            report.error(where, f"{name}: command should be ['agentry-{name}'], is {command!r}")
        elif command[0] not in executables:
            report.error(where, f"{name}: runs {command[0]!r}, not an executable product in Package.swift")
        for variable in environment:
            # Undocumented names are reported by check_documented_variables, with their line.
            if variable.endswith("_FILE") and variable[:-5] in environment:
                report.error(at, f"sets both {variable[:-5]} and {variable}")
            if not isinstance(environment[variable], (str, int, float)) and environment[variable] is not None:
                report.error(at, f"{variable} must be a string")
        if str(environment.get("AGENTRY_HTTP_PORT")) != str(OPS_PORTS[name]):
            report.error(at, f"AGENTRY_HTTP_PORT is {environment.get('AGENTRY_HTTP_PORT')!r}, the service's "
                             f"operations port is {OPS_PORTS[name]}")
        if environment.get("AGENTRY_HTTP_HOST") != "0.0.0.0":
            report.error(at, "AGENTRY_HTTP_HOST must be 0.0.0.0 in a container")
        amqp = environment.get("AGENTRY_AMQP_URL")
        if not amqp and "AGENTRY_AMQP_URL_FILE" not in environment:
            report.error(at, "no AGENTRY_AMQP_URL")
        elif amqp and url_host(amqp) not in services:
            report.error(at, f"AGENTRY_AMQP_URL points at {url_host(amqp)!r}, which is not a service")
        has_database = "AGENTRY_DATABASE_URL" in environment or "AGENTRY_DATABASE_URL_FILE" in environment
        source = sources.get(name)
        if source and source.store and not has_database:
            report.error(at, "uses the database (store: .required) but gets no AGENTRY_DATABASE_URL")
        if source and not source.store and has_database:
            report.error(at, "gets AGENTRY_DATABASE_URL but does not use the database")
        database = environment.get("AGENTRY_DATABASE_URL")
        if database and url_host(database) not in services:
            report.error(at, f"AGENTRY_DATABASE_URL points at {url_host(database)!r}, which is not a service")
        depends = service.get("depends_on") or {}
        if source and source.store and (depends.get("migrate") or {}).get("condition") != "service_completed_successfully":
            report.error(at, "uses the database but does not wait for migrate (service_completed_successfully)")
        if (depends.get("rabbitmq") or {}).get("condition") != "service_healthy":
            report.error(at, "does not wait for rabbitmq to be healthy")
        # Secrets read through *_FILE must be mounted.
        mounted = {s if isinstance(s, str) else s.get("source") for s in service.get("secrets") or []}
        for secret in mounted:
            if secret not in top_secrets:
                report.error(at, f"uses secret {secret!r}, which is not defined under the top-level secrets")
        for variable, value in environment.items():
            if variable.endswith("_FILE") and isinstance(value, str) and value.startswith("/run/secrets/"):
                secret = value[len("/run/secrets/"):]
                if secret not in mounted:
                    report.error(at, f"{variable} reads /run/secrets/{secret}, but the service does not mount the "
                                     f"secret {secret!r}")
        if name in DELIVERY_SERVICES:
            prefetch = int(environment.get("AGENTRY_PREFETCH") or 32)
            pool = int(environment.get("AGENTRY_DB_POOL_SIZE") or 10)
            if prefetch > pool:
                report.error(at, f"AGENTRY_PREFETCH ({prefetch}) exceeds AGENTRY_DB_POOL_SIZE ({pool}): each delivery "
                                 "holds a database connection")
        restart = service.get("restart")
        if restart not in ("always", "unless-stopped", "on-failure") and not str(restart).startswith("on-failure"):
            report.error(at, f"restart policy {restart!r}: a long-running service should restart")
        healthcheck = service.get("healthcheck") or {}
        test = healthcheck.get("test") or []
        if not test or "agentry-probe" not in " ".join(test if isinstance(test, list) else [test]):
            report.error(at, "no healthcheck through agentry-probe")
        grace = duration_seconds(service.get("stop_grace_period", "10s"))
        shutdown = float(environment.get("AGENTRY_SHUTDOWN_GRACE_SECONDS") or 25)
        if grace is None or grace <= shutdown:
            report.error(at, f"stop_grace_period ({service.get('stop_grace_period', '10s (default)')}) must exceed "
                             f"AGENTRY_SHUTDOWN_GRACE_SECONDS ({shutdown:g} s)")
        if not service.get("read_only"):
            report.note(f"compose {name}: root file system is writable")

    ingest = services.get("ingest") or {}
    environment = ingest.get("environment") or {}
    if ingest:
        if environment.get("AGENTRY_API_HOST") != "0.0.0.0":
            report.error(f"{where}: ingest", "AGENTRY_API_HOST must be 0.0.0.0 in a container")
        if str(environment.get("AGENTRY_API_PORT", API_PORT)) != str(API_PORT):
            report.error(f"{where}: ingest", f"AGENTRY_API_PORT should be {API_PORT}")
        if "AGENTRY_SLACK_SIGNING_SECRET_FILE" not in environment:
            report.error(f"{where}: ingest", "the Slack signing secret should come from a compose secret "
                                             "(AGENTRY_SLACK_SIGNING_SECRET_FILE)")
        for port in ingest.get("ports") or []:
            container = str(port).rsplit(":", 1)[-1].split("/")[0]
            host = str(port).split(":")[-2] if str(port).count(":") >= 1 else container
            if container != str(API_PORT) or host != str(API_PORT):
                report.error(f"{where}: ingest", f"publishes {port!r}; the API is published on {API_PORT}:{API_PORT}")
    browser_env = (services.get("browser-worker") or {}).get("environment") or {}
    chromium = browser_env.get("AGENTRY_CHROMIUM_PATH")
    if chromium and chromium != CHROMIUM_NO_SANDBOX:
        report.error(f"{where}: browser-worker", f"AGENTRY_CHROMIUM_PATH {chromium!r} is not in the image")
    if len(report.errors) == errors_before:
        report.ok(f"docker-compose.yml: {len(services)} services, schema, images, commands, environment, secrets, "
                  "health checks, depends_on, ports and grace periods")


def check_compose_image(where: str, name: str, service: dict, target: str, stages: Dict[str, Stage],
                        report: Report) -> None:
    image = service.get("image", "")
    problem = image_tag_problem(image) if image else "is missing"
    if problem:
        report.error(where, f"{name}: image {image!r} {problem}")
    build = service.get("build")
    if not isinstance(build, dict):
        report.error(where, f"{name}: build should name the Dockerfile target {target!r}")
        return
    if build.get("target") != target:
        report.error(where, f"{name}: builds target {build.get('target')!r}, expected {target!r}")
    elif stages and target not in stages:
        report.error(where, f"{name}: builds target {target!r}, which the Dockerfile does not define")
    if build.get("dockerfile", "Dockerfile") != "Dockerfile" or build.get("context", ".") != ".":
        report.error(where, f"{name}: build should use the repository's Dockerfile and context `.`")


def url_host(url: str) -> str:
    match = re.match(r"^[a-z]+://(?:[^@/]*@)?([^:/?]+)", url)
    return match.group(1) if match else ""


def check_cycles(services: Dict[str, dict], report: Report) -> None:
    graph = {}
    for name, service in services.items():
        depends = (service or {}).get("depends_on") or {}
        graph[name] = list(depends) if isinstance(depends, (dict, list)) else []
    state: Dict[str, int] = {}

    def visit(node: str, trail: List[str]) -> None:
        if state.get(node) == 1:
            report.error("docker-compose.yml", f"depends_on cycle: {' -> '.join(trail + [node])}")
            return
        if state.get(node) == 2 or node not in graph:
            return
        state[node] = 1
        for target in graph[node]:
            visit(target, trail + [node])
        state[node] = 2

    for node in graph:
        visit(node, [])


# ---------------------------------------------------------------------------------------------
# Helm chart.

@dataclass
class Action:
    text: str
    offset: int


def template_actions(text: str, where: str, report: Report) -> List[Action]:
    """The {{ }} actions of a Go template; reports unterminated actions and stray `}}`."""
    actions: List[Action] = []
    position = 0
    while True:
        start = text.find("{{", position)
        stray = text.find("}}", position)
        if stray != -1 and (start == -1 or stray < start):
            report.error(f"{where}:{line_of(text, stray)}", "`}}` without a matching `{{`")
        if start == -1:
            return actions
        index = start + 2
        if text.startswith("-", index):
            index += 1
        stripped = text[index:].lstrip()
        if stripped.startswith("/*"):
            comment_end = text.find("*/", index)
            close = -1
            if comment_end != -1:
                match = re.compile(r"\s*-?\s*\}\}").match(text, comment_end + 2)
                close = match.end() if match else -1
            if close == -1:
                report.error(f"{where}:{line_of(text, start)}", "unterminated template comment")
                return actions
            position = close
            continue
        quote = None
        index_end = -1
        i = index
        while i < len(text):
            ch = text[i]
            if quote:
                if ch == "\\" and quote != "`":
                    i += 2
                    continue
                if ch == quote:
                    quote = None
                elif ch == "\n" and quote != "`":
                    break
            elif ch in "\"`'":
                quote = ch
            elif text.startswith("}}", i):
                index_end = i
                break
            elif text.startswith("{{", i):
                break
            i += 1
        if index_end == -1:
            report.error(f"{where}:{line_of(text, start)}", "unterminated action: `{{` without `}}`"
                         + (" (an unclosed string)" if quote else ""))
            return actions
        body = text[start + 2:index_end]
        body = body[1:] if body.startswith("-") else body
        body = body[:-1] if body.endswith("-") else body
        actions.append(Action(body.strip(), start))
        position = index_end + 2


def check_template_structure(text: str, where: str, actions: List[Action], report: Report) -> None:
    stack: List[Tuple[str, int]] = []
    for action in actions:
        words = action.text.split()
        keyword = words[0] if words else ""
        line = line_of(text, action.offset)
        depth = 0
        in_string = None
        for ch in action.text:
            if in_string:
                if ch == in_string:
                    in_string = None
            elif ch in "\"`":
                in_string = ch
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth < 0:
                    break
        if depth != 0:
            report.error(f"{where}:{line}", f"unbalanced parentheses in {{{{ {action.text} }}}}")
        if keyword in ("if", "range", "with", "define", "block"):
            stack.append((keyword, line))
        elif keyword == "else":
            if not stack or stack[-1][0] not in ("if", "range", "with"):
                report.error(f"{where}:{line}", "`else` outside an if, range or with block")
        elif keyword == "end":
            if not stack:
                report.error(f"{where}:{line}", "`end` without an open block")
            else:
                stack.pop()
        elif keyword in ("break", "continue"):
            if not any(k == "range" for k, _ in stack):
                report.error(f"{where}:{line}", f"`{keyword}` outside a range")
    for keyword, line in stack:
        report.error(f"{where}:{line}", f"`{keyword}` block has no matching `end`")


VALUES_PATH = re.compile(r"(?:\$\w*)?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


def values_path_problem(values: Any, path: List[str]) -> Optional[str]:
    node = values
    for depth, key in enumerate(path):
        if not isinstance(node, dict):
            return f"{'.'.join(path[:depth])} is not a map"
        if key not in node:
            return f"{'.'.join(path[:depth + 1])} is not in values.yaml"
        node = node[key]
    return None


def deep_merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base.get(key), value) if key in base else value
        return merged
    return copy.deepcopy(override)


def check_chart(repo: Path, docs: Documentation, executables: Set[str], sources: Dict[str, ServiceSource],
                work_kinds: List[str], report: Report) -> Optional[dict]:
    chart = repo / "helm" / "agentry"
    where = "helm/agentry"
    errors_before = len(report.errors)
    if not chart.is_dir():
        report.error(where, "missing")
        return None
    try:
        meta = yaml.safe_load((chart / "Chart.yaml").read_text())
        values = yaml.safe_load((chart / "values.yaml").read_text())
    except (OSError, yaml.YAMLError) as error:
        report.error(where, f"Chart.yaml or values.yaml unreadable: {error}")
        return None
    for key in ("apiVersion", "name", "version", "appVersion", "description", "type"):
        if not meta.get(key):
            report.error(f"{where}/Chart.yaml", f"no {key}")
    if meta.get("apiVersion") != "v2":
        report.error(f"{where}/Chart.yaml", "apiVersion must be v2")
    if meta.get("name") != "agentry":
        report.error(f"{where}/Chart.yaml", "name must be agentry (the directory name)")
    if not re.match(r"^\d+\.\d+\.\d+(?:[-+][\w.-]+)?$", str(meta.get("version", ""))):
        report.error(f"{where}/Chart.yaml", f"version {meta.get('version')!r} is not SemVer")
    if meta.get("type") not in (None, "application"):
        report.error(f"{where}/Chart.yaml", "type must be application")

    schema_path = chart / "values.schema.json"
    if schema_path.is_file():
        schema = json.loads(schema_path.read_text())
        try:
            jsonschema.Draft7Validator.check_schema(schema)
        except jsonschema.SchemaError as error:
            report.error(f"{where}/values.schema.json", f"not a valid JSON Schema: {error.message}")
            schema = None
        examples = [("values.yaml", values)]
        for example in sorted((repo / "deploy" / "kubernetes").glob("values*.yaml")):
            examples.append((rel(repo, example), deep_merge(values, yaml.safe_load(example.read_text()) or {})))
        for name, document in examples:
            if schema is None:
                break
            for error in jsonschema.Draft7Validator(schema).iter_errors(document):
                location = "/".join(str(p) for p in error.absolute_path) or "(top level)"
                report.error(f"{where}/values.schema.json", f"{name}: at {location}: {error.message}")
    else:
        report.error(where, "no values.schema.json")

    # Values that must agree with the services.
    for name in SERVICES:
        key = VALUES_KEYS[name]
        service = values.get(key)
        if not isinstance(service, dict):
            report.error(f"{where}/values.yaml", f"no {key} section")
            continue
        if service.get("opsPort") != OPS_PORTS[name]:
            report.error(f"{where}/values.yaml", f"{key}.opsPort is {service.get('opsPort')}, the {name} service's "
                                                 f"operations port is {OPS_PORTS[name]}")
    for name in DELIVERY_SERVICES:
        service = values.get(VALUES_KEYS[name]) or {}
        environment = dict((values.get("config") or {}).get("extraEnv") or {}, **(service.get("env") or {}))
        prefetch = int(environment.get("AGENTRY_PREFETCH") or service.get("prefetch") or 32)
        pool = int(environment.get("AGENTRY_DB_POOL_SIZE") or 10)
        if prefetch > pool:
            report.error(f"{where}/values.yaml", f"{VALUES_KEYS[name]}: prefetch ({prefetch}) exceeds "
                                                 f"AGENTRY_DB_POOL_SIZE ({pool}): each delivery holds a database "
                                                 "connection")
    if (values.get("ingest") or {}).get("apiPort") != API_PORT:
        report.error(f"{where}/values.yaml", f"ingest.apiPort should be {API_PORT}")
    shutdown = (values.get("config") or {}).get("shutdownGraceSeconds", 25)
    termination = values.get("terminationGracePeriodSeconds", 30)
    longest_pre_stop = max([int((values.get(VALUES_KEYS[n]) or {}).get("preStopSleepSeconds") or 0) for n in SERVICES])
    if not isinstance(termination, int) or termination <= shutdown + longest_pre_stop:
        report.error(f"{where}/values.yaml", f"terminationGracePeriodSeconds ({termination}) must exceed "
                                             f"config.shutdownGraceSeconds ({shutdown}) plus the longest "
                                             f"preStopSleepSeconds ({longest_pre_stop})")

    # Templates: syntax, values paths, includes.
    templates = sorted(p for p in (chart / "templates").rglob("*") if p.is_file())
    defined: Set[str] = set()
    included: List[Tuple[str, str]] = []
    texts: Dict[str, str] = {}
    for template in templates:
        text = template.read_text()
        name = rel(repo, template)
        texts[template.name] = text
        actions = template_actions(text, name, report)
        check_template_structure(text, name, actions, report)
        for action in actions:
            line = line_of(text, action.offset)
            define = re.match(r'^(?:define|block)\s+"([^"]+)"', action.text)
            if define:
                defined.add(define.group(1))
            for used in re.findall(r'\b(?:include|template)\s+"([^"]+)"', action.text):
                included.append((used, f"{name}:{line}"))
            for match in VALUES_PATH.finditer(action.text):
                path = match.group(1).strip(".").split(".")
                problem = values_path_problem(values, path)
                if problem:
                    report.error(f"{name}:{line}", f".Values.{'.'.join(path)}: {problem}")
    for used, place in included:
        if used not in defined:
            report.error(place, f'includes "{used}", which no template defines')

    # One template per service that renders its Deployment with the right executable and secrets.
    for name in SERVICES:
        text = texts.get(f"{name}.yaml")
        if text is None:
            report.error(f"{where}/templates", f"no {name}.yaml for the {name} service")
            continue
        call = re.search(r'include\s+"agentry\.service"\s+\(dict(.*?)\)\s*-?\}\}', text, re.S)
        if not call:
            report.error(f"{where}/templates/{name}.yaml", 'does not include "agentry.service"')
            continue
        arguments = call.group(1)
        for key, expected in (("component", name), ("executable", f"agentry-{name}"),
                              ("variant", IMAGE_TARGETS[name]), ("values", f".Values.{VALUES_KEYS[name]}")):
            value = re.search(rf'"{key}"\s+("[^"]*"|\S+)', arguments)
            found = value.group(1).strip('"') if value else None
            if found != expected:
                report.error(f"{where}/templates/{name}.yaml", f'"{key}" is {found!r}, expected {expected!r}')
        if f"agentry-{name}" not in executables:
            report.error(f"{where}/templates/{name}.yaml", f"agentry-{name} is not an executable product")
        if "agentry.brokerSecretFile" not in text:
            report.error(f"{where}/templates/{name}.yaml", "does not mount the broker URL")
        source = sources.get(name)
        uses_database = "agentry.databaseSecretFile" in text
        if source and source.store != uses_database:
            report.error(f"{where}/templates/{name}.yaml",
                         "mounts the database URL, but the service does not use the database" if uses_database
                         else "the service uses the database (store: .required), but its URL is not mounted")
    helpers = texts.get("_helpers.tpl", "")
    for needle, meaning in (
            ("path: /readyz", "a readiness probe on /readyz"), ("path: /healthz", "a liveness probe on /healthz"),
            ("port: ops", "probes on the operations port"),
            ("terminationGracePeriodSeconds:", "terminationGracePeriodSeconds"),
            ("checksum/config", "a config checksum that rolls pods on configuration changes")):
        if needle not in helpers:
            report.error(f"{where}/templates/_helpers.tpl", f"does not define {meaning}")
    if values.get("containerSecurityContext", {}).get("readOnlyRootFilesystem") is not True:
        report.error(f"{where}/values.yaml", "containerSecurityContext.readOnlyRootFilesystem should be true")
    if values.get("podSecurityContext", {}).get("runAsNonRoot") is not True:
        report.error(f"{where}/values.yaml", "podSecurityContext.runAsNonRoot should be true")
    job = texts.get("migration-job.yaml", "")
    if not re.search(r"helm\.sh/hook:\s*pre-install,pre-upgrade", job):
        report.error(f"{where}/templates/migration-job.yaml", "the migration Job is not a pre-install,pre-upgrade hook")
    if not re.search(r"-\s*agentry\s*\n\s*-\s*migrate\b", job):
        report.error(f"{where}/templates/migration-job.yaml", "the migration Job does not run `agentry migrate`")
    keda = texts.get("keda.yaml", "")
    queues = set(re.findall(r'"queue"\s+"([^"]+)"', keda))
    expected_queues = {f"work.{kind}" for kind in work_kinds}
    if queues != expected_queues:
        report.error(f"{where}/templates/keda.yaml", f"scales on queues {sorted(queues)}, the broker's work queues are "
                                                     f"{sorted(expected_queues)}")
    for name, kind in WORKER_KINDS.items():
        if not re.search(rf'"component"\s+"{name}"\s+"queue"\s+"work\.{kind}"', keda):
            report.error(f"{where}/templates/keda.yaml", f"the {name} Deployment is not scaled on work.{kind}")
    if not (chart / "templates" / "NOTES.txt").is_file():
        report.error(where, "no templates/NOTES.txt")
    if len(report.errors) == errors_before:
        report.ok(f"helm/agentry: Chart.yaml, values.yaml against values.schema.json, {len(templates)} templates "
                  f"balanced, .Values paths and includes resolve, {len(SERVICES)} services, migration hook, "
                  f"KEDA on {len(queues)} queues")
    return values


def check_helm_render(repo: Path, docs: Documentation, values: dict, report: Report) -> None:
    """`helm lint` and `helm template` when helm is installed, then the rendered objects."""
    helm = shutil.which("helm")
    if helm is None:
        report.note("helm is not on PATH: `helm lint` and `helm template` skipped (the chart was checked "
                    "structurally)")
        return
    chart = str(repo / "helm" / "agentry")
    variants = [("defaults", []), ("everything on", [
        "--set", "keda.enabled=true", "--set", "podDisruptionBudget.enabled=true",
        "--set", "metrics.serviceMonitor.enabled=true", "--set", "codeWorker.networkPolicy.enabled=true",
        "--set", "ingest.ingress.enabled=true", "--set", "ingest.ingress.hosts[0]=agentry.example.com",
        "--set", "ingest.slackSigningSecret.existingSecret=slack",
        "--set", "dataWorker.dataSources[0].name=analytics",
        "--set", "dataWorker.dataSources[0].existingSecret=analytics"])]
    for example in sorted((repo / "deploy" / "kubernetes").glob("values*.yaml")):
        variants.append((rel(repo, example), ["-f", str(example)]))
    lint = subprocess.run([helm, "lint", "--strict", chart], capture_output=True, text=True)
    if lint.returncode != 0:
        report.error("helm lint", (lint.stdout + lint.stderr).strip()[-2000:])
    for label, arguments in variants:
        result = subprocess.run([helm, "template", "agentry", chart, "--namespace", "agentry"] + arguments,
                                capture_output=True, text=True)
        if result.returncode != 0:
            report.error(f"helm template ({label})", result.stderr.strip()[-2000:])
            continue
        check_rendered(list(yaml.safe_load_all(result.stdout)), label, docs, values, report)
    if not [e for e in report.errors if e.startswith("helm")]:
        report.ok(f"helm lint --strict and helm template ({len(variants)} value sets) pass")


def check_rendered(documents: List[Any], label: str, docs: Documentation, values: dict, report: Report) -> None:
    where = f"helm template ({label})"
    objects = [d for d in documents if d]
    names: Set[Tuple[str, str]] = set()
    deployments = {}
    config_maps = {}
    for obj in objects:
        kind = obj.get("kind")
        name = (obj.get("metadata") or {}).get("name")
        if not obj.get("apiVersion") or not kind or not name:
            report.error(where, f"an object without apiVersion, kind or metadata.name: {str(obj)[:120]}")
            continue
        if kind not in HELM_KINDS:
            report.error(where, f"unexpected kind {kind} ({name})")
        if (kind, name) in names:
            report.error(where, f"two {kind} objects named {name}")
        names.add((kind, name))
        if kind == "Deployment":
            deployments[name] = obj
        if kind == "ConfigMap":
            config_maps[name] = obj.get("data") or {}
    components = {((d["spec"]["template"]["metadata"].get("labels") or {}).get("app.kubernetes.io/component")): d
                  for d in deployments.values()}
    for service in SERVICES:
        deployment = components.get(service)
        if deployment is None:
            report.error(where, f"no Deployment for {service}")
            continue
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        at = f"{where}: {deployment['metadata']['name']}"
        if container.get("args") != [f"agentry-{service}"]:
            report.error(at, f"runs {container.get('args')}, expected agentry-{service}")
        ports = {p.get("name"): p.get("containerPort") for p in container.get("ports") or []}
        if ports.get("ops") != OPS_PORTS[service]:
            report.error(at, f"ops port {ports.get('ops')}, expected {OPS_PORTS[service]}")
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            get = (container.get(probe) or {}).get("httpGet") or {}
            if get.get("path") != path or get.get("port") not in ("ops", OPS_PORTS[service]):
                report.error(at, f"{probe} should GET {path} on the ops port")
        if not (pod.get("securityContext") or {}).get("runAsNonRoot"):
            report.error(at, "pod does not run as non-root")
        environment = {}
        for source in container.get("envFrom") or []:
            environment.update(config_maps.get((source.get("configMapRef") or {}).get("name"), {}))
        for entry in container.get("env") or []:
            environment[entry["name"]] = entry.get("value")
        for variable in environment:
            if variable.startswith("AGENTRY_") and not docs.documents(variable):
                report.error(at, f"{variable} is not documented in docs/configuration.md")
        shutdown = int(environment.get("AGENTRY_SHUTDOWN_GRACE_SECONDS", 25))
        if int(pod.get("terminationGracePeriodSeconds", 30)) <= shutdown:
            report.error(at, "terminationGracePeriodSeconds does not exceed AGENTRY_SHUTDOWN_GRACE_SECONDS")
        if str(environment.get("AGENTRY_HTTP_PORT")) != str(OPS_PORTS[service]):
            report.error(at, f"AGENTRY_HTTP_PORT is {environment.get('AGENTRY_HTTP_PORT')}")
    if (values.get("migrations") or {}).get("enabled"):
        jobs = [o for o in objects if o.get("kind") == "Job"
                and (o["spec"]["template"]["spec"]["containers"][0].get("args") or [])[:2] == ["agentry", "migrate"]]
        if not jobs:
            report.error(where, "no migration Job running `agentry migrate`")
    for obj in objects:
        if obj.get("kind") == "ScaledObject":
            target = obj["spec"]["scaleTargetRef"]["name"]
            if target not in deployments:
                report.error(where, f"ScaledObject {obj['metadata']['name']} targets a missing Deployment {target}")


# ---------------------------------------------------------------------------------------------
# Running everything, and the self-test.

def validate(repo: Path) -> Report:
    report = Report()
    executables = package_executables(repo, report)
    docs = documentation(repo, report)
    sources = service_sources(repo, report)
    work_kinds = topology_work_kinds(repo, report)
    if set(work_kinds) != set(WORKER_KINDS.values()):
        report.error("Shared/AgentryBus/AgentryTopology.swift",
                     f"work kinds {work_kinds} differ from the deployed workers {sorted(WORKER_KINDS.values())}")
    stages = check_dockerfile(repo, executables, report)
    check_compose(repo, docs, executables, stages, sources, report)
    values = check_chart(repo, docs, executables, sources, work_kinds, report)
    if values is not None:
        check_helm_render(repo, docs, values, report)
    check_documented_variables(repo, docs, report)
    return report


def copy_artifacts(repo: Path, destination: Path) -> None:
    for relative in ARTIFACT_PATHS:
        source = repo / relative
        target = destination / relative
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(".build", "__pycache__"))
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    cache = repo / ".agentry" / "cache"
    if cache.is_dir():
        shutil.copytree(cache, destination / ".agentry" / "cache")


def self_test(repo: Path) -> List[str]:
    """Applies each mutation to a fresh copy and requires an error mentioning what it broke."""
    mutations_path = repo / "Tests" / "deploy" / "mutations.json"
    mutations = json.loads(mutations_path.read_text())
    failures = []
    schema_cached = (repo / ".agentry" / "cache" / "compose_spec-1.29.2.json").is_file()
    for mutation in mutations:
        if mutation.get("requires") == "compose-schema" and not schema_cached:
            print(f"note: self-test: {mutation['name']}: skipped, the compose schema is not available")
            continue
        with tempfile.TemporaryDirectory(prefix="agentry-deploy-") as scratch:
            copy = Path(scratch)
            copy_artifacts(repo, copy)
            target = copy / mutation["file"]
            text = target.read_text()
            if mutation["find"] not in text:
                failures.append(f"{mutation['name']}: {mutation['file']} no longer contains {mutation['find']!r}; "
                                "update Tests/deploy/mutations.json")
                continue
            target.write_text(text.replace(mutation["find"], mutation["replace"], 1))
            report = validate(copy)
            expected = mutation["expect"]
            if not any(expected in error for error in report.errors):
                failures.append(f"{mutation['name']}: not caught (expected an error mentioning {expected!r}; "
                                f"got {report.errors[:3] or 'no errors'})")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2])
    parser.add_argument("--self-test", action="store_true",
                        help="after validating, prove each check bites on a broken copy")
    parser.add_argument("--verbose", "-v", action="store_true", help="also list the checks that passed")
    options = parser.parse_args()
    repo = options.repo.resolve()
    report = validate(repo)
    for note in report.notes:
        print(f"note: {note}")
    if options.verbose or not report.errors:
        for passed in report.passed:
            print(f"ok: {passed}")
    if report.errors:
        print(f"\nvalidate-deploy: {len(report.errors)} problem(s):", file=sys.stderr)
        for error in report.errors:
            print(f"  - {error}", file=sys.stderr)
        return 1
    if options.self_test:
        failures = self_test(repo)
        count = len(json.loads((repo / "Tests" / "deploy" / "mutations.json").read_text()))
        if failures:
            print(f"\nvalidate-deploy --self-test: {len(failures)} of {count} mutations were not caught:",
                  file=sys.stderr)
            for failure in failures:
                print(f"  - {failure}", file=sys.stderr)
            return 1
        print(f"ok: self-test: all {count} deliberate breakages in Tests/deploy/mutations.json were caught")
    print("validate-deploy: Dockerfile, docker-compose.yml and helm/agentry are consistent with Package.swift, "
          "the services and docs/configuration.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
