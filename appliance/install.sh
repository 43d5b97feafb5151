#!/bin/sh
# Installs vipd on this host: the binary, the systemd unit, a default /etc/vipd/vipd.yaml (never
# over an existing one), the nftables snippet and the example configs. Starts and enables nothing
# unless --enable is given. Prints every file it writes.
#
#   appliance/install.sh [--binary PATH] [--prefix DIR] [--sysconfdir DIR] [--enable]
#
# Environment (the options win): PREFIX (default /usr/local), SYSCONFDIR (/etc), UNITDIR
# ($PREFIX/lib/systemd/system, which systemd reads), DESTDIR (a staging root for packaging:
# files go below it, paths inside the files stay as if installed).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
binary="$here/../.build/release/vipd"
prefix=${PREFIX:-/usr/local}
sysconfdir=${SYSCONFDIR:-/etc}
unitdir=${UNITDIR:-}
destdir=${DESTDIR:-}
enable=no

usage() {
    sed -n '2,11s/^# \{0,1\}//p' "$0"
    exit "$1"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary=$2; shift 2 ;;
        --prefix) prefix=$2; shift 2 ;;
        --sysconfdir) sysconfdir=$2; shift 2 ;;
        --enable) enable=yes; shift ;;
        -h|--help) usage 0 ;;
        *) echo "install.sh: unknown option $1" >&2; usage 1 ;;
    esac
done
unitdir=${unitdir:-$prefix/lib/systemd/system}

if [ ! -x "$binary" ]; then
    echo "install.sh: no vipd binary at $binary; build it first (scripts/build-release) or pass --binary PATH" >&2
    exit 1
fi
if [ "$enable" = yes ] && [ -n "$destdir" ]; then
    echo "install.sh: --enable works on this host only, not with DESTDIR" >&2
    exit 1
fi

bindir=$prefix/bin
confdir=$sysconfdir/vipd
docdir=$prefix/share/doc/vipd

put() { # put MODE SOURCE TARGET: install one file below DESTDIR and say so
    install -D -m "$1" "$2" "$destdir$3"
    echo "installed $destdir$3"
}

put 0755 "$binary" "$bindir/vipd"

unit=$(mktemp)
trap 'rm -f "$unit"' EXIT
sed -e "s|/usr/local/bin/vipd|$bindir/vipd|g" -e "s|/etc/vipd/vipd.yaml|$confdir/vipd.yaml|g" \
    -e "s|/usr/local/share/doc/vipd|$docdir|g" "$here/vipd.service" >"$unit"
put 0644 "$unit" "$unitdir/vipd.service"

put 0644 "$here/vipd.yaml" "$docdir/vipd.yaml"
put 0644 "$here/README.md" "$docdir/README.md"
for example in "$here"/examples/*.yaml; do
    put 0644 "$example" "$docdir/examples/$(basename "$example")"
done

if [ -e "$destdir$confdir/vipd.yaml" ]; then
    echo "kept     $destdir$confdir/vipd.yaml (exists; the shipped default is $docdir/vipd.yaml)"
else
    put 0640 "$here/vipd.yaml" "$confdir/vipd.yaml"
fi
if [ -e "$destdir$confdir/vipd.nft" ]; then
    echo "kept     $destdir$confdir/vipd.nft (exists)"
else
    put 0644 "$here/vipd.nft" "$confdir/vipd.nft"
fi

if [ -z "$destdir" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    echo "ran      systemctl daemon-reload"
fi
if [ "$enable" = yes ]; then
    systemctl enable --now vipd.service
    echo "ran      systemctl enable --now vipd.service"
else
    echo
    echo "Nothing was enabled or started. Next:"
    echo "  edit $confdir/vipd.yaml, then: $bindir/vipd check --config $confdir/vipd.yaml"
    echo "  edit $confdir/vipd.nft, then: nft -f $confdir/vipd.nft (and include it from /etc/nftables.conf)"
    echo "  systemctl enable --now vipd"
fi
