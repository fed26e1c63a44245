"""scripts/venv.sh, which `make demo` and `make test` run first: which Python it
takes, what it says when none fits, and how it treats an existing venv.

The interpreters here are small shell stand-ins on a PATH of their own, so the
choice is tested without the machine's real Pythons deciding the outcome.
"""

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "venv.sh"

# A stand-in Python of a given version. `-m venv DIR` makes a venv whose
# bin/python is the same stand-in; `-m pip` only records that it was called.
FAKE_PYTHON = """#!/bin/sh
case "$1" in
  -c)
    case "$2" in
      *ensurepip*) [ "{has_venv}" = yes ] || exit 1; exit 0 ;;
      *version_info*) echo "{version}"; exit 0 ;;
    esac ;;
  -m)
    case "$2" in
      venv) mkdir -p "$3/bin"; cp "$0" "$3/bin/python"; exit 0 ;;
      pip) echo "pip $*" >> "{log}"; exit 0 ;;
    esac ;;
esac
exit 3
"""


def make_python(folder, name, version, *, has_venv=True, log):
    path = folder / name
    path.write_text(FAKE_PYTHON.format(version=version, has_venv="yes" if has_venv else "no", log=log))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def sandbox(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    (work / "requirements.txt").write_text("Django==5.2\n")
    # Only the shell's own tools and our stand-ins are on PATH.
    for tool in ("sh", "cat", "cksum", "mkdir", "cp", "rm", "basename"):
        found = shutil.which(tool)
        os.symlink(found, bin_dir / tool)
    return tmp_path


def run(sandbox, **env):
    environment = {"PATH": str(sandbox / "bin"), "HOME": str(sandbox)}
    environment.update(env)
    return subprocess.run(
        ["sh", str(SCRIPT), "requirements.txt"],
        cwd=sandbox / "work",
        env=environment,
        capture_output=True,
        text=True,
        executable=shutil.which("sh"),
    )


def test_the_newest_supported_python_is_chosen_and_named(sandbox):
    log = sandbox / "pip.log"
    make_python(sandbox / "bin", "python3.11", "3.11", log=log)
    make_python(sandbox / "bin", "python3.13", "3.13", log=log)
    make_python(sandbox / "bin", "python3", "3.11", log=log)

    result = run(sandbox)

    assert result.returncode == 0, result.stderr
    assert "Python 3.13 (python3.13)" in result.stdout
    assert (sandbox / "work" / ".venv" / "bin" / "python").exists()
    assert "-r requirements.txt" in log.read_text()


def test_a_python_shim_that_does_not_run_is_passed_over(sandbox):
    log = sandbox / "pip.log"
    # What a pyenv shim of an inactive version does: exists, but fails.
    broken = sandbox / "bin" / "python3.13"
    broken.write_text("#!/bin/sh\necho 'pyenv: python3.13: command not found' >&2\nexit 127\n")
    broken.chmod(0o755)
    make_python(sandbox / "bin", "python3.12", "3.12", log=log)

    result = run(sandbox)

    assert result.returncode == 0, result.stderr
    assert "Python 3.12 (python3.12)" in result.stdout


def test_plain_python3_is_taken_when_its_version_fits(sandbox):
    make_python(sandbox / "bin", "python3", "3.12", log=sandbox / "pip.log")

    result = run(sandbox)

    assert result.returncode == 0, result.stderr
    assert "Python 3.12 (python3)" in result.stdout


def test_an_old_python_gets_one_line_saying_what_is_needed(sandbox):
    make_python(sandbox / "bin", "python3", "3.9", log=sandbox / "pip.log")

    result = run(sandbox)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Python 3.11 to 3.13 is needed and none was found (python3 is 3.9): "
        "install one, or name it with PYTHON=/path/to/python3.X."
    ]
    assert not (sandbox / "work" / ".venv").exists()


def test_no_python_at_all_gets_the_same_one_line(sandbox):
    result = run(sandbox)

    assert result.returncode == 1
    assert result.stderr.startswith("Python 3.11 to 3.13 is needed and none was found:")


def test_python_variable_overrides_the_choice(sandbox):
    log = sandbox / "pip.log"
    make_python(sandbox / "bin", "python3.13", "3.13", log=log)
    chosen = make_python(sandbox, "my-python", "3.11", log=log)

    result = run(sandbox, PYTHON=str(chosen))

    assert result.returncode == 0, result.stderr
    assert f"Python 3.11 ({chosen})" in result.stdout


def test_python_variable_with_an_unsupported_version_is_refused(sandbox):
    chosen = make_python(sandbox, "old-python", "3.10", log=sandbox / "pip.log")

    result = run(sandbox, PYTHON=str(chosen))

    assert result.returncode == 1
    assert "is Python 3.10: Python 3.11 to 3.13 is needed." in result.stderr


def test_missing_venv_module_names_the_package_to_install(sandbox):
    make_python(sandbox / "bin", "python3.13", "3.13", has_venv=False, log=sandbox / "pip.log")

    result = run(sandbox)

    assert result.returncode == 1
    assert "install the python3.13-venv package" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_venv_made_by_another_python_is_rebuilt(sandbox):
    log = sandbox / "pip.log"
    make_python(sandbox / "bin", "python3.13", "3.13", log=log)
    old_venv = sandbox / "work" / ".venv"
    make_python(sandbox / "bin", "python3.11", "3.11", log=log)
    assert run(sandbox, PYTHON=str(sandbox / "bin" / "python3.11")).returncode == 0
    (old_venv / "left-by-3.11").write_text("")

    result = run(sandbox)

    assert result.returncode == 0, result.stderr
    assert ".venv was made by Python 3.11; rebuilding it with python3.13 (3.13)." in result.stdout
    assert not (old_venv / "left-by-3.11").exists()


def test_packages_are_installed_again_only_when_requirements_change(sandbox):
    log = sandbox / "pip.log"
    make_python(sandbox / "bin", "python3.12", "3.12", log=log)

    run(sandbox)
    installs_after_first = log.read_text().count("-r requirements.txt")
    run(sandbox)
    installs_after_second = log.read_text().count("-r requirements.txt")
    (sandbox / "work" / "requirements.txt").write_text("Django==5.2.1\n")
    run(sandbox)

    assert installs_after_first == 1
    assert installs_after_second == 1
    assert log.read_text().count("-r requirements.txt") == 2


def test_pyproject_states_the_versions_the_script_accepts():
    import re
    import tomllib

    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    script = SCRIPT.read_text()
    low = re.search(r"^MIN_MINOR=(\d+)$", script, re.MULTILINE).group(1)
    high = re.search(r"^MAX_MINOR=(\d+)$", script, re.MULTILINE).group(1)

    assert requires == f">=3.{low},<3.{int(high) + 1}"
