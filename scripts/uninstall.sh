#!/usr/bin/env bash
# Removes what scripts/install.sh installed: the program (/opt/certkeeper), the launcher
# (/usr/local/bin/certkeeper), the shell completion, the man pages, the units (certkeeper.service,
# its generated drop-in outputs.conf, certkeeper-reload@.service and .path, and the enabled path
# instances). Keeps the data
# (/var/lib/certkeeper: the store and the CA) and the configuration (/etc/certkeeper) unless
# --purge is given.
#
# Usage: scripts/uninstall.sh [--prefix DIR] [--purge] [--dry-run]
#   --prefix DIR   the prefix given to install.sh
#   --purge        also remove /etc/certkeeper, /var/lib/certkeeper and the user 'certkeeper'
#   --dry-run      print each action without doing it
set -euo pipefail

prefix=""
purge=0
dry_run=0

usage() { sed -n '2,/^set -e/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "uninstall.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --purge) purge=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option: $1 (try --help)" ;;
  esac
done
if [ -n "$prefix" ]; then
  [ -d "$prefix" ] || die "no such directory: $prefix"
  prefix=$(cd "$prefix" && pwd)
fi

run() {
  if [ "$dry_run" = 1 ]; then
    printf '+'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}

unit="$prefix/etc/systemd/system/certkeeper.service"
systemd_here=0
if [ -z "$prefix" ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemd_here=1
fi

if [ "$systemd_here" = 1 ]; then
  run systemctl disable --now certkeeper.service || true
  run systemctl stop 'certkeeper-reload@*.path' || true
fi
run rm -f "$unit"
# The reload units, the links of their enabled instances, and the generated drop-in (drop-ins of
# your own, such as override.conf from systemctl edit, stay).
unit_dir="$prefix/etc/systemd/system"
run rm -f "$unit_dir/certkeeper-reload@.service" "$unit_dir/certkeeper-reload@.path" \
  "$unit_dir/certkeeper.service.d/outputs.conf"
if [ -d "$unit_dir" ]; then
  while IFS= read -r -d '' link; do
    run rm -f "$link"
  done < <(find "$unit_dir" -mindepth 2 -maxdepth 2 -type l -name 'certkeeper-reload@*.path' -print0)
fi
[ -d "$unit_dir/certkeeper.service.d" ] && run rmdir --ignore-fail-on-non-empty "$unit_dir/certkeeper.service.d"
[ "$systemd_here" = 1 ] && run systemctl daemon-reload
run rm -f "$prefix/usr/local/bin/certkeeper"
run rm -f "$prefix/usr/local/share/bash-completion/completions/certkeeper"
run rm -f "$prefix/usr/local/share/man/man1/certkeeper.1" "$prefix"/usr/local/share/man/man1/certkeeper-*.1
run rm -rf "$prefix/opt/certkeeper"

if [ "$purge" = 1 ]; then
  run rm -rf "$prefix/etc/certkeeper" "$prefix/var/lib/certkeeper"
  if [ -z "$prefix" ] && getent passwd certkeeper >/dev/null 2>&1; then
    run userdel certkeeper
  fi
  echo "uninstall.sh: removed certkeeper, its configuration and its data"
else
  echo "uninstall.sh: removed certkeeper; kept $prefix/etc/certkeeper and $prefix/var/lib/certkeeper (--purge removes them)"
fi
