#!/bin/sh
# Installs vipd from a source build on this host: every file of appliance/files (the program, the
# systemd unit, /etc/vipd/vipd.yaml and vipd.nft (never over existing ones), the man pages and the
# documentation). Starts and enables nothing unless --enable is given. Prints every file it writes.
#
#   appliance/install.sh [--build DIR] [--binary PATH] [--prefix DIR] [--sysconfdir DIR] [--enable]
#
# --build DIR is the release build (default .build/release: scripts/build-release makes the binary
# and the man pages there); --binary PATH takes the program from elsewhere. Environment (the
# options win): PREFIX (default /usr/local), SYSCONFDIR (/etc), UNITDIR ($PREFIX/lib/systemd/system,
# which systemd reads), MANDIR ($PREFIX/share/man), DOCDIR ($PREFIX/share/doc/vipd), DESTDIR (a
# staging root for packaging: files go below it, paths inside the files stay as if installed).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-/usr/local}
sysconfdir=${SYSCONFDIR:-/etc}
binary=
build=
enable=no

usage() {
    sed -n '2,13s/^# \{0,1\}//p' "$0"
    exit "$1"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --build) build=$2; shift 2 ;;
        --binary) binary=$2; shift 2 ;;
        --prefix) prefix=$2; shift 2 ;;
        --sysconfdir) sysconfdir=$2; shift 2 ;;
        --enable) enable=yes; shift ;;
        -h|--help) usage 0 ;;
        *) echo "install.sh: unknown option $1" >&2; usage 1 ;;
    esac
done
. "$here/files.sh"
set_directories

if [ "$enable" = yes ] && [ -n "$destdir" ]; then
    echo "install.sh: --enable works on this host only, not with DESTDIR" >&2
    exit 1
fi
absent=no
check_source() { # KIND MODE SOURCE TARGET: every source must exist before anything is written
    [ -e "$3" ] && return
    echo "install.sh: $3 is missing; build it first (scripts/build-release) or pass --build DIR / --binary PATH" >&2
    absent=yes
}
for_each_file check_source
[ "$absent" = no ] || exit 1

unit=$(mktemp)
trap 'rm -f "$unit"' EXIT

install_one() { # KIND MODE SOURCE TARGET
    if [ "$1" = conf ] && [ -e "$destdir$4" ]; then
        echo "kept     $destdir$4 (exists; the shipped default is $docdir/$(basename "$4"))"
        return
    fi
    source=$3
    if [ "$1" = unit ]; then
        sed -e "s|/usr/local/bin/vipd|$bindir/vipd|g" -e "s|/etc/vipd/|$confdir/|g" \
            -e "s|/usr/local/share/doc/vipd|$docdir|g" "$3" >"$unit"
        source=$unit
    fi
    install -D -m "$2" "$source" "$destdir$4"
    echo "installed $destdir$4"
}
for_each_file install_one

if [ -z "$destdir" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    echo "ran      systemctl daemon-reload"
fi
if [ "$enable" = yes ]; then
    systemctl enable --now vipd.service
    echo "ran      systemctl enable --now vipd.service"
elif [ -z "$destdir" ]; then
    echo
    echo "Nothing was enabled or started. Next:"
    echo "  edit $confdir/vipd.yaml (man vipd.yaml), then: $bindir/vipd check --config $confdir/vipd.yaml"
    echo "  $bindir/vipd doctor; $bindir/vipd sshd-snippet --write"
    echo "  edit $confdir/vipd.nft, then: nft -f $confdir/vipd.nft (and include it from /etc/nftables.conf)"
    echo "  systemctl enable --now vipd"
fi
