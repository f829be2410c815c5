#!/usr/bin/env bash
# Runs every test of byoos: formatting, vet, the unit and integration tests, and a
# short run of every fuzz target. It installs nothing it does not need and cleans
# up after itself. CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# A count rather than a duration: a fuzz run cut off by its deadline can end in
# "context deadline exceeded" although nothing failed.
FUZZTIME="${FUZZTIME:-20000x}"

# PostgreSQL: the store tests start a throwaway server from its binaries
# (store/pgtest); install them when this machine has none.
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "== installing PostgreSQL server binaries"
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || { echo "cannot install PostgreSQL"; exit 1; }
  else
    echo "PostgreSQL binaries (initdb, pg_ctl) are missing; install the postgresql package"; exit 1
  fi
fi

# Chromium: the web UI's browser tests (web/browser_test.go) drive Debian's
# headless chromium; they fail without it.
if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium (for the browser tests)"
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || { echo "cannot install chromium"; exit 1; }
  else
    echo "chromium is missing; install the chromium package"; exit 1
  fi
fi

# docker-registry: the registry sync tests (regsync, via regsync/regtest) run
# Debian's registry (distribution 2.8) on loopback; they fail without it.
if [ ! -x /usr/bin/docker-registry ] && ! command -v docker-registry >/dev/null 2>&1; then
  echo "== installing docker-registry (for the registry sync tests)"
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry >/dev/null) || { echo "cannot install docker-registry"; exit 1; }
    # The package's service is not wanted: the tests start their own registries.
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl disable --now docker-registry >/dev/null 2>&1 || true
    fi
  else
    echo "docker-registry is missing; install the docker-registry package"; exit 1
  fi
fi

# Azurite: the Azure preflight tests (preflight/azure, via its azuritetest
# package) run Microsoft's storage emulator on loopback. Install it with npm,
# pinned (the version azuritetest.Version names), into a cache directory
# outside the repository, when it is neither on the PATH nor installed there.
AZURITE_VERSION=3.37.0
AZURITE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/byoos/azurite"
if [ -z "${BYOOS_AZURITE_BLOB:-}" ] && ! command -v azurite-blob >/dev/null 2>&1 && [ ! -x "$AZURITE_DIR/node_modules/.bin/azurite-blob" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "== installing Azurite $AZURITE_VERSION into $AZURITE_DIR (for the Azure preflight tests)"
    mkdir -p "$AZURITE_DIR"
    npm install --prefix "$AZURITE_DIR" --no-audit --no-fund --loglevel=error "azurite@$AZURITE_VERSION" >/dev/null || { echo "cannot install Azurite"; exit 1; }
  elif [ "${CI:-}" = true ]; then
    echo "npm is missing: cannot install Azurite for the Azure preflight tests"; exit 1
  else
    echo "npm is missing: the Azure preflight tests (preflight/azure) will fail without Azurite"
  fi
fi

# The web UI's committed assets (web/dist, embedded by go build) must be what
# web/src builds to.
echo "== web UI assets are up to date"
if command -v npm >/dev/null 2>&1; then
  ./web/build.sh --check
elif [ "${CI:-}" = true ]; then
  echo "npm is missing: cannot check web/dist against web/src"; exit 1
else
  echo "npm is missing: skipping the check of web/dist (CI runs it)"
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

echo "== go test"
go test -count=1 ./...

echo "== go test -race (the server and what it runs concurrently)"
go test -count=1 -race ./api ./store/sqlite ./macro ./profile

echo "== fuzz (${FUZZTIME} each)"
for f in $(grep -l '^func Fuzz' $(find . -name '*_test.go' -not -path './.git/*') | sort); do
  pkg="./$(dirname "${f#./}")"
  for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)' "$f" | awk '{print $2}'); do
    echo "-- $pkg $target"
    go test -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME" "$pkg" >/tmp/byoos-fuzz.log 2>&1 || { cat /tmp/byoos-fuzz.log; exit 1; }
  done
done

echo "== all tests passed"
