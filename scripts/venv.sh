#!/bin/sh
# Makes sure $VENV is a virtual environment of a supported Python (3.11 to 3.13)
# with the packages of the given requirements file installed.
#
#   sh scripts/venv.sh requirements.txt        (VENV and PYTHON from the environment)
#
# PYTHON chooses the interpreter; without it the newest of python3.13,
# python3.12, python3.11 that runs is taken, then python3 if its version fits.
# A venv made by another Python is rebuilt rather than half-used, and a Python
# without its venv module says which system package brings it.
set -eu

REQUIREMENTS=${1:?usage: venv.sh REQUIREMENTS_FILE}
VENV=${VENV:-.venv}
MIN_MINOR=11
MAX_MINOR=13

# Prints "3.X" for an interpreter that runs, nothing for one that does not
# (a pyenv shim of a version that is not active fails here, as it should).
version_of() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true
}

supported() {
    case "$1" in
        3.*) minor=${1#3.}; [ "$minor" -ge "$MIN_MINOR" ] && [ "$minor" -le "$MAX_MINOR" ] ;;
        *) return 1 ;;
    esac
}

pick_python() {
    if [ -n "${PYTHON:-}" ]; then
        version=$(version_of "$PYTHON")
        if [ -z "$version" ]; then
            echo "PYTHON=$PYTHON does not run: Python 3.$MIN_MINOR to 3.$MAX_MINOR is needed." >&2
            exit 1
        fi
        if ! supported "$version"; then
            echo "PYTHON=$PYTHON is Python $version: Python 3.$MIN_MINOR to 3.$MAX_MINOR is needed." >&2
            exit 1
        fi
        echo "$PYTHON"
        return
    fi
    found=""
    minor=$MAX_MINOR
    while [ "$minor" -ge "$MIN_MINOR" ]; do
        candidate="python3.$minor"
        if [ "$(version_of "$candidate")" = "3.$minor" ]; then
            echo "$candidate"
            return
        fi
        minor=$((minor - 1))
    done
    version=$(version_of python3)
    if [ -n "$version" ] && supported "$version"; then
        echo python3
        return
    fi
    [ -n "$version" ] && found=" (python3 is $version)"
    echo "Python 3.$MIN_MINOR to 3.$MAX_MINOR is needed and none was found$found: install one, or name it with PYTHON=/path/to/python3.X." >&2
    exit 1
}

python=$(pick_python)
version=$(version_of "$python")

echo "Python $version ($python), virtual environment $VENV"

if [ -d "$VENV" ]; then
    venv_version=$(version_of "$VENV/bin/python")
    if [ "$venv_version" != "$version" ]; then
        echo "$VENV was made by Python ${venv_version:-that no longer runs}; rebuilding it with $python ($version)."
        rm -rf "$VENV"
    fi
fi

if [ ! -d "$VENV" ]; then
    if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        echo "$python ($version) has no venv module: install the python$version-venv package (Debian/Ubuntu: apt-get install python$version-venv, or python3-venv for the system Python)." >&2
        exit 1
    fi
    "$python" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi

# Reinstall only when a requirements file changed since the last install.
stamp="$VENV/.installed-$(basename "$REQUIREMENTS")"
wanted=$(cat requirements*.txt | cksum)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    "$VENV/bin/python" -m pip install --quiet -r "$REQUIREMENTS"
    echo "$wanted" > "$stamp"
fi
