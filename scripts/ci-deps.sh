#!/usr/bin/env bash
# Installs the Debian packages that the tests need and that a fresh machine
# lacks: PostgreSQL and MariaDB servers for the users/ integration tests
# (they start their own throw-away servers on 127.0.0.1 and skip when the
# binaries are absent). Idempotent and quiet; services are not started.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "ci-deps: not root; cannot install ${need[*]} (the database tests will skip)" >&2
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# Do not start the packaged services: the tests run their own servers.
policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod +x "$policy"
	made_policy=1
fi
trap '[ -n "$made_policy" ] && rm -f "$policy"' EXIT
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "ci-deps: installed ${need[*]}"
