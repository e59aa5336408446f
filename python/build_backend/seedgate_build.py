"""The package's PEP 517 build backend: standard library only, so ``pip install ./python`` needs no download.

pip builds in an isolated environment and installs the backend's
requirements there first; a backend that needs setuptools makes an offline
install fail. This one reads ``pyproject.toml``'s [project] table and zips
``seedgate/`` into a wheel (or a tarball for an sdist), with fixed
timestamps so the same sources give the same bytes.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _project() -> dict:
    path = os.path.join(HERE, "pyproject.toml")
    with open(path, "rb") as f:
        text = f.read()
    if tomllib is not None:
        return tomllib.loads(text.decode("utf-8"))["project"]
    return _read_project(text.decode("utf-8"))


def _read_project(text: str) -> dict:
    """pyproject.toml's [project] tables without tomllib (Python < 3.11): the subset this file uses.

    Tables ``[project]`` and ``[project.<a>.<b>]``, keys bare or quoted,
    values one-line strings or arrays of strings.
    """
    project: dict = {}
    table = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = re.fullmatch(r"\[([^\[\]]+)\]", line)
        if header:
            parts = header.group(1).split(".")
            table = None
            if parts[0] == "project":
                table = project
                for part in parts[1:]:
                    table = table.setdefault(part, {})
            continue
        if table is None:
            continue
        match = re.fullmatch(r'("([^"]*)"|[A-Za-z0-9_.-]+)\s*=\s*(.+)', line)
        if not match:
            raise RuntimeError(f"pyproject.toml:{number}: cannot read {raw!r} without tomllib")
        key = match.group(2) if match.group(2) is not None else match.group(1)
        value = match.group(3).strip()
        if value.startswith("["):
            table[key] = re.findall(r'"([^"]*)"', value)
        elif value.startswith('"') and value.endswith('"'):
            table[key] = value[1:-1]
        else:
            raise RuntimeError(f"pyproject.toml:{number}: cannot read {raw!r} without tomllib")
    return project


def _metadata(project: dict) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}",
             f"Summary: {project.get('description', '')}"]
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    license_ = project.get("license", {})
    if "text" in license_:
        lines.append(f"License: {license_['text']}")
    for classifier in project.get("classifiers", []):
        lines.append(f"Classifier: {classifier}")
    for extra, requirements in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines.extend(f"Requires-Dist: {r}; extra == \"{extra}\"" for r in requirements)
    return "\n".join(lines) + "\n"


def _entry_points(project: dict) -> str:
    text = ""
    for group, points in project.get("entry-points", {}).items():
        text += f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items()) + "\n"
    return text


def _sources():
    """(path in the archive, file on disk) for every file of the package, in a fixed order."""
    package = os.path.join(HERE, "seedgate")
    for name in sorted(os.listdir(package)):
        if name.endswith(".py") or name == "py.typed":
            yield f"seedgate/{name}", os.path.join(package, name)


def _dist_info(project: dict) -> str:
    return f"{project['name']}-{project['version']}.dist-info"


def _write_wheel(directory: str, files) -> str:
    project = _project()
    name = f"{project['name']}-{project['version']}-py3-none-any.whl"
    info = _dist_info(project)
    files = list(files) + [
        (f"{info}/METADATA", _metadata(project).encode()),
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: seedgate_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (f"{info}/entry_points.txt", _entry_points(project).encode()),
    ]
    record = io.StringIO()
    with zipfile.ZipFile(os.path.join(directory, name), "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files:
            entry = zipfile.ZipInfo(path, _EPOCH)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.write(f"{path},sha256={digest},{len(data)}\n")
        record.write(f"{info}/RECORD,,\n")
        entry = zipfile.ZipInfo(f"{info}/RECORD", _EPOCH)
        entry.external_attr = 0o644 << 16
        wheel.writestr(entry, record.getvalue())
    return name


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


# PEP 517 hooks


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, ((path, _read(source)) for path, source in _sources()))


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 660: a wheel holding a .pth file that puts this directory on sys.path."""
    return _write_wheel(wheel_directory, [("seedgate_editable.pth", (HERE + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    base = f"{project['name']}-{project['version']}"
    name = f"{base}.tar.gz"
    files = [("pyproject.toml", os.path.join(HERE, "pyproject.toml")),
             ("build_backend/seedgate_build.py", os.path.abspath(__file__))]
    files += list(_sources())
    if os.path.exists(os.path.join(HERE, "README.md")):
        files.append(("README.md", os.path.join(HERE, "README.md")))
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz", format=tarfile.PAX_FORMAT) as sdist:
        pkg_info = ("PKG-INFO", _metadata(project).encode())
        for path, data in [pkg_info] + [(p, _read(s)) for p, s in files]:
            entry = tarfile.TarInfo(f"{base}/{path}")
            entry.size, entry.mtime, entry.mode = len(data), 315532800, 0o644
            sdist.addfile(entry, io.BytesIO(data))
    return name
