# Sourced by install.sh and uninstall.sh (POSIX sh): the install's directories and a walk over the
# file list, appliance/files. Set before sourcing: here (appliance/), prefix, sysconfdir, and
# optionally build (the release build's directory).

root=$(cd "$here/.." && pwd)
build=${build:-$root/.build/release}
destdir=${DESTDIR:-}

# The directories every KIND of appliance/files goes to; call after the options are read.
set_directories() {
    bindir=$prefix/bin
    unitdir=${UNITDIR:-$prefix/lib/systemd/system}
    confdir=$sysconfdir/vipd
    mandir=${MANDIR:-$prefix/share/man}
    docdir=${DOCDIR:-$prefix/share/doc/vipd}
}

# for_each_file FUNCTION: calls FUNCTION KIND MODE SOURCE TARGET for each line of appliance/files,
# with SOURCE as a path on this host and TARGET as the installed path (without DESTDIR).
for_each_file() {
    while read -r kind mode source name <&3; do
        case $kind in '' | \#*) continue ;; esac
        case $source in
            @build/vipd) source=${binary:-$build/vipd} ;;
            @build/*) source=$build/${source#@build/} ;;
            *) source=$root/$source ;;
        esac
        case $kind in
            bin) target=$bindir/$name ;;
            unit) target=$unitdir/$name ;;
            conf) target=$confdir/$name ;;
            man) target=$mandir/$name ;;
            doc) target=$docdir/$name ;;
            *) echo "appliance/files: unknown kind $kind" >&2; return 1 ;;
        esac
        "$1" "$kind" "$mode" "$source" "$target" || return 1
    done 3<"$here/files"
}
