#!/usr/bin/env bash
# Builds a free-threaded CPython 3.13 (python3.13t, PEP 703: no GIL) for
# corescope's python-threads-nogil model, from Debian trixie's python3.13
# source package, into a cache folder that corescope looks in:
#
#   ${CORESCOPE_FREE_THREADED_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/corescope/python3.13t}
#
# (its interpreter: bin/python3.13t). Nothing is done when it is already
# built. Debian bookworm packages no free-threaded CPython; trixie's source
# is fetched through a temporary sources list with its own apt state, so the
# machine's apt sources stay untouched. The build dependencies that are
# missing are installed from Debian packages (needs root or sudo).
set -euo pipefail

dest="${CORESCOPE_FREE_THREADED_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/corescope/python3.13t}"
python="$dest/bin/python3.13t"
stamp="$dest/.corescope-built"
started=$SECONDS

# Already built: the stamp is written last, and the interpreter must still
# run without a GIL.
if [ -f "$stamp" ] && "$python" -c \
  'import sys, sysconfig; sys.exit(0 if sysconfig.get_config_var("Py_GIL_DISABLED") else 1)' \
  >/dev/null 2>&1; then
  echo "free-threaded CPython already built: $python ($("$python" -VV | head -1))"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

# Build dependencies: a C toolchain, dpkg-source, and the headers of the
# standard library's C modules (ssl, zlib, ctypes, bz2, lzma, sqlite3,
# readline, curses, uuid, dbm, expat).
deps=(build-essential dpkg-dev pkg-config xz-utils libssl-dev zlib1g-dev
  libffi-dev libbz2-dev liblzma-dev libsqlite3-dev libreadline-dev
  libncurses-dev uuid-dev libgdbm-dev libexpat1-dev)
missing=()
for dep in "${deps[@]}"; do
  dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$dep")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing build dependencies: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/corescope-python-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Trixie's source through a sources list and apt state of our own.
apt_dir="$work/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb-src [signed-by=$keyring] http://deb.debian.org/debian trixie main" >"$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
  -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
echo "fetching Debian trixie's python3.13 source"
apt-get "${apt_opts[@]}" update -qq
(cd "$work" && apt-get "${apt_opts[@]}" source --download-only -qq python3.13)
# Upstream CPython as released: Debian's patches adapt it to Debian's own
# layout (dist-packages, multiarch), which a private prefix does not want.
(cd "$work" && dpkg-source --skip-patches -x python3.13_*.dsc src >/dev/null)

echo "building CPython --disable-gil into $dest (make -j$(nproc))"
rm -rf "$dest"
mkdir -p "$dest"
(
  cd "$work/src"
  ./configure --quiet --disable-gil --prefix="$dest" --with-ensurepip=no \
    --disable-test-modules
  make -s -j"$(nproc)" >"$work/make.log" 2>&1 || {
    tail -40 "$work/make.log"
    exit 1
  }
  make -s altinstall >"$work/install.log" 2>&1 || {
    tail -40 "$work/install.log"
    exit 1
  }
)
"$python" -c 'import sys; assert not sys._is_gil_enabled(), "the GIL is on"'
touch "$stamp"
echo "built $python ($("$python" -VV | head -1)) in $((SECONDS - started)) s"
