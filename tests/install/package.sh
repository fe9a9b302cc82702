#!/usr/bin/env bash
# The Debian package: cpack builds it from BUILD_DIR, dpkg-deb and lintian check it (no errors, no warnings),
# apt-get installs it onto this machine, the installed pigeon runs and `man -w pigeon` finds its page, then it is
# purged again, also when a check fails. It refuses to run where a pigeon package or /usr/bin/pigeon already exists,
# so it never replaces anything; runs of it on one machine wait for each other. Needs root.
# Usage: package.sh BUILD_DIR
set -euo pipefail
build=$(readlink -f "$1")
tmp=$(mktemp -d)
installed=0

cleanup() {
    if ((installed)); then
        apt-get purge -y -qq -o DPkg::Lock::Timeout=120 pigeon >/dev/null || echo "FAIL: apt-get purge pigeon failed"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    exit 1
}

[[ $(id -u) -eq 0 ]] || fail "installing a package needs root"
exec 9>/run/lock/pigeon-package-test.lock
flock -w 600 9 || fail "another package test holds /run/lock/pigeon-package-test.lock"

start=$(date +%s)
(cd "$build" && cpack -G DEB -B "$tmp" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; fail "cpack failed"; }
deb=$(echo "$tmp"/pigeon_*_*.deb)
[[ -f $deb ]] || fail "no pigeon_VERSION_ARCH.deb in $tmp"
version=$(dpkg-deb -f "$deb" Version)
arch=$(dpkg-deb -f "$deb" Architecture)
[[ ${deb##*/} == "pigeon_${version}_${arch}.deb" ]] || fail "file name ${deb##*/} is not pigeon_${version}_${arch}.deb"
depends=$(dpkg-deb -f "$deb" Depends)
# dpkg-shlibdeps found the Qt libraries; the SQLite plugin is named by hand.
for lib in libqt6core6 libqt6widgets6 libqt6dbus6 libqt6sql6-sqlite; do
    [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
contents=$(dpkg-deb -c "$deb")
for f in usr/bin/pigeon usr/share/applications/pigeon.desktop usr/share/icons/hicolor/scalable/apps/pigeon.svg \
    usr/share/icons/hicolor/256x256/apps/pigeon.png usr/share/metainfo/org.pigeon_lan.Pigeon.metainfo.xml \
    usr/share/man/man1/pigeon.1.gz usr/share/bash-completion/completions/pigeon usr/share/doc/pigeon/copyright; do
    grep -q " \./$f\$" <<<"$contents" || fail "the package lacks /$f"
done
lintian --tag-display-limit 0 "$deb" >"$tmp/lintian.log" 2>&1 || true
grep -v 'running with root privileges' "$tmp/lintian.log" || true
! grep -q '^[EW]: ' "$tmp/lintian.log" || fail "lintian reports errors or warnings"

# Onto this machine, never over something already there.
if dpkg-query -W -f='${db:Status-Status}' pigeon 2>/dev/null | grep -q installed || [[ -e /usr/bin/pigeon ]]; then
    fail "a pigeon is already installed here (package or /usr/bin/pigeon); not replacing it"
fi
installed=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 "$deb" \
    >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "apt-get install $deb failed"; }
[[ $(/usr/bin/pigeon --version) == "pigeon ${version%-*}" ]] || fail "/usr/bin/pigeon --version: $(/usr/bin/pigeon --version)"
[[ $(man -w pigeon) == /usr/share/man/man1/pigeon.1.gz ]] || fail "man -w pigeon: $(man -w pigeon 2>&1)"
man pigeon 2>/dev/null | grep -q 'EXIT STATUS' || fail "man pigeon does not show the page"
desktop-file-validate /usr/share/applications/pigeon.desktop || fail "the installed desktop entry is not valid"
appstreamcli validate --no-net /usr/share/metainfo/org.pigeon_lan.Pigeon.metainfo.xml >"$tmp/appstream.log" 2>&1 ||
    { cat "$tmp/appstream.log"; fail "appstreamcli validate refused the metainfo"; }

apt-get purge -y -qq -o DPkg::Lock::Timeout=120 pigeon >/dev/null || fail "apt-get purge pigeon failed"
installed=0
[[ ! -e /usr/bin/pigeon && ! -e /usr/share/man/man1/pigeon.1.gz ]] || fail "files are left after the purge"
echo "${deb##*/}: built, lintian clean, installed, ran, man -w found it, purged ($(($(date +%s) - start)) s)"
