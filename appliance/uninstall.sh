#!/bin/sh
# Removes what install.sh installed (every file of appliance/files). On this host it first stops
# and disables vipd.service. /etc/vipd/vipd.yaml and vipd.nft stay when you changed them (--purge
# removes them anyway). Prints every file it removes.
#
#   appliance/uninstall.sh [--prefix DIR] [--sysconfdir DIR] [--purge]
#
# Environment: PREFIX, SYSCONFDIR, UNITDIR, MANDIR, DOCDIR, DESTDIR, as for install.sh.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-/usr/local}
sysconfdir=${SYSCONFDIR:-/etc}
purge=no

usage() {
    sed -n '2,8s/^# \{0,1\}//p' "$0"
    exit "$1"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=$2; shift 2 ;;
        --sysconfdir) sysconfdir=$2; shift 2 ;;
        --purge) purge=yes; shift ;;
        -h|--help) usage 0 ;;
        *) echo "uninstall.sh: unknown option $1" >&2; usage 1 ;;
    esac
done
. "$here/files.sh"
set_directories

if [ -z "$destdir" ] && [ -d /run/systemd/system ] && systemctl cat vipd.service >/dev/null 2>&1; then
    systemctl disable --now vipd.service
    echo "ran      systemctl disable --now vipd.service"
fi

# remove_one KIND MODE SOURCE TARGET: a config file goes when unchanged from what was shipped, or
# with --purge; everything else goes.
remove_one() {
    [ -e "$destdir$4" ] || [ -L "$destdir$4" ] || return 0
    if [ "$1" = conf ] && [ "$purge" = no ] && ! cmp -s "$destdir$4" "$3"; then
        echo "kept     $destdir$4 (changed; --purge removes it)"
        return
    fi
    rm -f "$destdir$4"
    echo "removed  $destdir$4"
}
for_each_file remove_one

# Empty directories: vipd's own, and below a DESTDIR also the parents install.sh made.
remove_empty() { # DIR STOP: DIR, then its parents while empty, up to STOP (not included)
    dir=$1
    while [ "$dir" != "$2" ] && [ "$dir" != "/" ] && [ "$dir" != "." ] && rmdir "$destdir$dir" 2>/dev/null; do
        echo "removed  $destdir$dir/"
        dir=$(dirname "$dir")
    done
}
parents() { # KIND MODE SOURCE TARGET: vipd's own directories (all of them below a DESTDIR)
    case $1 in
        doc) stop=$(dirname "$docdir") ;;
        conf) stop=$sysconfdir ;;
        *) stop=$(dirname "$4") ;;
    esac
    [ -z "$destdir" ] || stop=/
    remove_empty "$(dirname "$4")" "$stop"
}
for_each_file parents

if [ -z "$destdir" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    echo "ran      systemctl daemon-reload"
fi
