#!/usr/bin/env bash
# Installs certkeeper from this checkout:
#   /opt/certkeeper/{certkeeper.jar,lib/,README.md}   the program
#   /opt/certkeeper/{certkeeper.jsa,cds-archive}     its class-data-sharing archive (faster starts), and
#                                                    the script that makes it (again after a JDK upgrade)
#   /usr/local/bin/certkeeper                        a launcher (java -jar)
#   /usr/local/share/bash-completion/completions/certkeeper   bash completion
#   /usr/local/share/man/man1/certkeeper*.1          man pages (man certkeeper, man certkeeper-status, ...)
#   /etc/certkeeper/certkeeper.yaml                  the sample configuration, only if none is there
#   /etc/certkeeper/{ca-passphrase,smtp-password}    empty root-only credential files, only if absent
#   /etc/systemd/system/certkeeper.service           the unit, enabled (not started)
#   /etc/systemd/system/certkeeper.service.d/outputs.conf   the directories the configured outputs
#                                                    go to (certkeeper config systemd-dropin)
#   /etc/systemd/system/certkeeper-reload@.{service,path}   reload a service when a hook asks
# and the system user 'certkeeper'. Builds target/certkeeper.jar first when it is missing or older
# than the sources.
#
# Usage: scripts/install.sh [--prefix DIR] [--dry-run] [--no-systemd] [--no-build] [--no-cds]
#   --prefix DIR   install under DIR (e.g. a package build root); no user, no systemctl
#   --dry-run      print each action without doing it
#   --no-systemd   leave out the unit
#   --no-build     use target/certkeeper.jar as it is (fail when it is missing)
#   --no-cds       make no class-data-sharing archive (it takes about 20 s, and is valid only for
#                  the JVM that made it and the jar at the path installed: run install.sh again
#                  after a JDK upgrade; an archive made under a --prefix build root is ignored
#                  once the files move)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix=""
dry_run=0
systemd=1
build=1
cds=1

usage() { sed -n '2,/^set -e/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --dry-run) dry_run=1; shift ;;
    --no-systemd) systemd=0; shift ;;
    --no-build) build=0; shift ;;
    --no-cds) cds=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option: $1 (try --help)" ;;
  esac
done
if [ -n "$prefix" ]; then
  case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
  prefix=${prefix%/}
fi

opt="$prefix/opt/certkeeper"
bin="$prefix/usr/local/bin"
etc="$prefix/etc/certkeeper"
unit_dir="$prefix/etc/systemd/system"
completion_dir="$prefix/usr/local/share/bash-completion/completions"
man_dir="$prefix/usr/local/share/man/man1"
jar="$root/target/certkeeper.jar"

# Runs a command, or prints it under --dry-run.
run() {
  if [ "$dry_run" = 1 ]; then
    printf '+'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}

# Writes stdin to a file with a mode, or says so under --dry-run.
write_file() {
  local file=$1 mode=$2
  if [ "$dry_run" = 1 ]; then
    echo "+ write $file (mode $mode)"
    cat >/dev/null
  else
    local tmp
    tmp=$(mktemp "$file.XXXXXX")
    cat >"$tmp"
    chmod "$mode" "$tmp"
    mv -f "$tmp" "$file"
  fi
}

# 1. The jar.
if [ ! -f "$jar" ] || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
  [ "$build" = 1 ] || die "$jar is missing or older than the sources, and --no-build was given"
  echo "install.sh: building $jar"
  run sh -c "cd '$root' && ./mvnw -q -B -DskipTests package"
fi
[ "$dry_run" = 1 ] || [ -d "$root/target/lib" ] || die "$root/target/lib is missing; build with ./mvnw -DskipTests package"

# 2. The program, replacing an older one (a running daemon keeps the files it has open).
run install -d -m 0755 "$opt" "$bin" "$etc"
run install -m 0644 "$jar" "$opt/certkeeper.jar"
run rm -rf "$opt/lib.new"
run cp -R "$root/target/lib" "$opt/lib.new"
run chmod -R u=rwX,go=rX "$opt/lib.new"
run rm -rf "$opt/lib"
run mv "$opt/lib.new" "$opt/lib"
run install -m 0644 "$root/README.md" "$opt/README.md"

if [ "$cds" = 1 ]; then
  echo "install.sh: making the class-data-sharing archive (about 20 s; --no-cds leaves it out)"
  run install -m 0755 "$root/scripts/cds-archive" "$opt/cds-archive"
  run "$opt/cds-archive" "$opt/certkeeper.jar" "$opt/certkeeper.jsa"
else
  run rm -f "$opt/certkeeper.jsa" "$opt/cds-archive"
fi

write_file "$bin/certkeeper" 0755 <<LAUNCHER
#!/bin/sh
# certkeeper launcher (installed by scripts/install.sh). JVM options: CERTKEEPER_JAVA_OPTS.
# Passes the class-data-sharing archive when there is one (the JVM ignores it when it does not
# match this JVM or jar), and for every command but 'daemon' a JVM tuned for a short run.
java=java
[ -n "\${JAVA_HOME:-}" ] && java="\$JAVA_HOME/bin/java"
jar="$opt/certkeeper.jar"
jsa="$opt/certkeeper.jsa"
# certkeeper sets this umask itself when started otherwise; set here, it costs the JVM nothing.
umask 077
cds=""
[ -f "\$jsa" ] && cds=1
# The command: the first word that is not an option or a global option's value.
verb=""
skip=""
for a in "\$@"; do
  if [ -n "\$skip" ]; then skip=""; continue; fi
  case "\$a" in
    --config|--data-dir) skip=1 ;;
    -*) ;;
    *) verb=\$a; break ;;
  esac
done
short=""
daemon=""
[ "\$verb" = daemon ] && daemon=1 || short=1
# The daemon: serial GC and a heap bounded by need, not by the host's RAM (G1 sizes the heap from
# physical memory and keeps what it took). 256 MB holds 100,000 endpoints (about 110 MB live);
# CERTKEEPER_JAVA_OPTS comes later on the command line and wins (e.g. -Xmx1g).
# shellcheck disable=SC2086
exec "\$java" \${cds:+"-XX:SharedArchiveFile=\$jsa"} \${cds:+-Xshare:auto} \${cds:+-Xlog:cds=off} \${cds:+-Xlog:cds+dynamic=off} \\
  \${short:+-XX:TieredStopAtLevel=1} \${short:+-XX:+UseSerialGC} \\
  \${daemon:+-XX:+UseSerialGC} \${daemon:+-Xms16m} \${daemon:+-Xmx256m} \${CERTKEEPER_JAVA_OPTS:-} -jar "\$jar" "\$@"
LAUNCHER

# Shell completion and man pages, when the build made them.
if [ -f "$root/target/completion/certkeeper" ]; then
  run install -d -m 0755 "$completion_dir"
  run install -m 0644 "$root/target/completion/certkeeper" "$completion_dir/certkeeper"
else
  echo "install.sh: no target/completion/certkeeper (built with -Dmaven.test.skip?); no shell completion installed"
fi
if compgen -G "$root/target/man/*.1" >/dev/null; then
  run install -d -m 0755 "$man_dir"
  run rm -f "$man_dir"/certkeeper.1 "$man_dir"/certkeeper-*.1
  run install -m 0644 "$root"/target/man/*.1 "$man_dir/"
else
  echo "install.sh: no target/man/*.1 (built with -Dmaven.test.skip?); no man pages installed"
fi

# 3. Configuration: never overwrite what is there.
if [ -e "$etc/certkeeper.yaml" ]; then
  echo "install.sh: keeping the existing $etc/certkeeper.yaml"
else
  run install -m 0640 "$root/etc/certkeeper/certkeeper.yaml" "$etc/certkeeper.yaml"
fi
for cred in ca-passphrase smtp-password; do
  # LoadCredential= fails the start when its file is missing; an empty one is never read unless used.
  if [ ! -e "$etc/$cred" ]; then
    write_file "$etc/$cred" 0600 </dev/null
  fi
done

# 4. The system user, and the configuration readable by it.
if [ -z "$prefix" ]; then
  if [ "$(id -u)" -ne 0 ] && [ "$dry_run" = 0 ]; then
    echo "install.sh: not root, so the user 'certkeeper' is not created (run again as root)"
  elif getent passwd certkeeper >/dev/null 2>&1; then
    echo "install.sh: user 'certkeeper' exists"
  else
    nologin=$(command -v nologin || echo /usr/sbin/nologin)
    run useradd --system --user-group --home-dir /var/lib/certkeeper --no-create-home --shell "$nologin" \
      --comment "certkeeper daemon" certkeeper
  fi
  if [ "$(id -u)" -eq 0 ] || [ "$dry_run" = 1 ]; then
    run chgrp certkeeper "$etc/certkeeper.yaml"
  fi
fi

# 5. The unit.
if [ "$systemd" = 1 ]; then
  run install -d -m 0755 "$unit_dir"
  run install -m 0644 "$root/systemd/certkeeper.service" "$unit_dir/certkeeper.service"
  if [ -z "$prefix" ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    run systemctl daemon-reload
    run systemctl enable certkeeper.service
    echo "install.sh: enabled certkeeper.service; start it with: systemctl start certkeeper"
  elif [ -z "$prefix" ]; then
    echo "install.sh: systemd is not running here; the unit is installed but not enabled"
  fi
fi

# 6. What lets the unit deploy: the reload units, and the drop-in naming the directories the
#    configured outputs go to (ProtectSystem=strict keeps everything else read-only). After
#    changing outputs, run this again, or:
#      certkeeper config systemd-dropin > /etc/systemd/system/certkeeper.service.d/outputs.conf
#      systemctl daemon-reload && systemctl restart certkeeper
if [ "$systemd" = 1 ]; then
  run install -d -m 0755 "$unit_dir" "$unit_dir/certkeeper.service.d"
  for reload_unit in certkeeper-reload@.service certkeeper-reload@.path; do
    run install -m 0644 "$root/systemd/$reload_unit" "$unit_dir/$reload_unit"
  done
  dropin="$unit_dir/certkeeper.service.d/outputs.conf"
  if [ "$dry_run" = 1 ]; then
    echo "+ write $dropin (mode 0644) from: $bin/certkeeper --config $etc/certkeeper.yaml config systemd-dropin"
  elif dropin_text=$("$bin/certkeeper" --config "$etc/certkeeper.yaml" config systemd-dropin); then
    printf '%s\n' "$dropin_text" | write_file "$dropin" 0644
    echo "install.sh: wrote $dropin from $etc/certkeeper.yaml"
  else
    die "could not derive $dropin from $etc/certkeeper.yaml (see above); fix it, then run: certkeeper config systemd-dropin > $dropin"
  fi
  if [ -z "$prefix" ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    run systemctl daemon-reload
  fi
  echo "install.sh: for a hook to reload a service (touch /run/certkeeper/reload/NAME): systemctl enable --now certkeeper-reload@NAME.path"
fi

if [ "$dry_run" = 1 ]; then
  echo "install.sh: dry run, nothing was changed"
else
  echo "install.sh: installed certkeeper under ${prefix:-/}"
fi
