"""The vulnerability snapshot that pip-audit reads in CI: OSV's range rules, and our pins are clean."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("vulndb", ROOT / ".ci" / "vulndb.py")
vulndb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vulndb)


def ids(name: str, version: str) -> set[str]:
    return {record["id"] for record in vulndb.matching(name, version)}


def test_a_known_vulnerable_release_is_found():
    # Django 4.2 before 4.2.1 lets a crafted multi-file upload past validation (CVE-2023-31047).
    assert "PYSEC-2023-61" in ids("Django", "4.2.0")
    assert "PYSEC-2023-61" not in ids("django", "4.2.1")


@pytest.mark.parametrize(
    ("events", "version", "affected"),
    [
        ([{"introduced": "0"}, {"fixed": "1.2.7"}], "1.2.6", True),
        ([{"introduced": "0"}, {"fixed": "1.2.7"}], "1.2.7", False),
        ([{"introduced": "1.3"}, {"fixed": "1.3.1"}, {"introduced": "2.0"}], "2.5", True),
        ([{"introduced": "1.3"}, {"last_affected": "1.4"}], "1.4", True),
        ([{"introduced": "1.3"}, {"last_affected": "1.4"}], "1.4.1", False),
        ([{"introduced": "1.3"}, {"fixed": "1.3.1"}], "1.2", False),
    ],
)
def test_osv_ranges(events, version, affected):
    ranges = [{"type": "ECOSYSTEM", "events": events}]
    assert vulndb._in_ranges(vulndb.Version(version), ranges) is affected


def test_every_pinned_requirement_is_covered_and_has_no_known_vulnerability():
    covered = set(json.loads((ROOT / "data" / "vulndb" / "SNAPSHOT.json").read_text())["packages"])
    pins = {}
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            if "==" in line and not line.startswith("#"):
                package, version = line.split("==")
                pins[vulndb.canonical(package.split("[")[0])] = version.strip()
    assert sorted(set(pins) - covered) == []
    assert {name: ids(name, version) for name, version in pins.items() if ids(name, version)} == {}
