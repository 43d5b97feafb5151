#!/bin/sh
# Removes what install.sh installed. On this host it first stops and disables vipd.service.
# /etc/vipd/vipd.yaml and vipd.nft stay when you changed them (--purge removes them anyway).
# Prints every file it removes.
#
#   appliance/uninstall.sh [--prefix DIR] [--sysconfdir DIR] [--purge]
#
# Environment: PREFIX, SYSCONFDIR, UNITDIR, DESTDIR, as for install.sh.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-/usr/local}
sysconfdir=${SYSCONFDIR:-/etc}
unitdir=${UNITDIR:-}
destdir=${DESTDIR:-}
purge=no

usage() {
    sed -n '2,9s/^# \{0,1\}//p' "$0"
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
unitdir=${unitdir:-$prefix/lib/systemd/system}
confdir=$sysconfdir/vipd
docdir=$prefix/share/doc/vipd

if [ -z "$destdir" ] && [ -d /run/systemd/system ] && systemctl cat vipd.service >/dev/null 2>&1; then
    systemctl disable --now vipd.service
    echo "ran      systemctl disable --now vipd.service"
fi

drop() { # drop FILE: remove one file below DESTDIR if present and say so
    if [ -e "$destdir$1" ] || [ -L "$destdir$1" ]; then
        rm -f "$destdir$1"
        echo "removed  $destdir$1"
    fi
}

# A config file goes when unchanged from what was shipped, or with --purge.
drop_config() { # drop_config FILE SHIPPED
    [ -e "$destdir$1" ] || return 0
    if [ "$purge" = yes ] || cmp -s "$destdir$1" "$2"; then
        drop "$1"
    else
        echo "kept     $destdir$1 (changed; --purge removes it)"
    fi
}

drop_config "$confdir/vipd.yaml" "$here/vipd.yaml"
drop_config "$confdir/vipd.nft" "$here/vipd.nft"
drop "$prefix/bin/vipd"
drop "$unitdir/vipd.service"
for example in "$here"/examples/*.yaml; do
    drop "$docdir/examples/$(basename "$example")"
done
drop "$docdir/README.md"
drop "$docdir/vipd.yaml"

# vipd's own directories when empty; below a DESTDIR also the empty parents install.sh made.
for dir in "$docdir/examples" "$docdir" "$confdir"; do
    rmdir "$destdir$dir" 2>/dev/null && echo "removed  $destdir$dir/" || true
done
if [ -n "$destdir" ]; then
    for dir in "$prefix/bin" "$unitdir" "$prefix/share/doc" "$sysconfdir"; do
        while [ "$dir" != "/" ] && [ "$dir" != "." ] && rmdir "$destdir$dir" 2>/dev/null; do
            echo "removed  $destdir$dir/"
            dir=$(dirname "$dir")
        done
    done
fi

if [ -z "$destdir" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    echo "ran      systemctl daemon-reload"
fi
