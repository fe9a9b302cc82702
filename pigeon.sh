#!/usr/bin/env bash
# Pigeon's one entry point on a Debian machine:
#   ./pigeon.sh [pigeon options]   install what is missing, build, start the desktop messenger
#   ./pigeon.sh test               install what is missing, build, run every test (also under ASan/UBSan)
#   ./pigeon.sh bench [FILE]       build in Release and print the benchmark table (name=value lines to FILE)
#   ./pigeon.sh package           build the Debian package pigeon_VERSION_ARCH.deb in build-package/
#   ./pigeon.sh fuzz [SECONDS]     build the libFuzzer targets with clang and run each for SECONDS (default 600)
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

# What building and running needs, and what the tests add (real peers, a virtual display, namespaces, fuzzing).
RUN_PACKAGES=(cmake ninja-build g++ pkg-config qt6-base-dev qt6-base-dev-tools qt6-qpa-plugins libqt6sql6-sqlite
              libsqlite3-dev libsodium-dev libssl-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-translations-l10n
              fonts-wqy-microhei fonts-noto-color-emoji qt6-image-formats-plugins)
TEST_PACKAGES=(xvfb xauth xdotool x11-utils iptux nftables iproute2 util-linux netcat-openbsd python3 clang-14
               libclang-rt-14-dev sqlite3 procps desktop-file-utils lintian appstream dbus python3-dbus python3-gi
               man-db bash-completion dpkg-dev file gcovr)

missing() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || printf '%s\n' "$p"
    done
}

install_packages() {
    local need
    need=$(missing "$@")
    [ -z "$need" ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "pigeon.sh: installing: $(echo $need)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq $need >/dev/null
    else
        echo "pigeon.sh: these Debian packages are missing; install them first:" >&2
        echo "  sudo apt-get install -y $(echo $need)" >&2
        exit 1
    fi
}

configure_and_build() { # dir build-type [extra cmake args...]
    local dir=$1 type=$2
    shift 2
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
    cmake --build "$dir" --parallel "$(nproc)"
}

# Builds the libFuzzer targets (clang, ASan+UBSan) and runs each on a copy of its seed corpus for $1 seconds; a
# crash or a broken invariant fails, and the input that did it is kept in build-fuzz/artifacts/.
fuzz() {
    local seconds=$1 target name work log
    start=$(date +%s)
    CC=clang-14 CXX=clang++-14 configure_and_build build-fuzz RelWithDebInfo -DPIGEON_FUZZ=ON -DPIGEON_WERROR=ON
    echo "pigeon.sh: fuzz build took $(($(date +%s) - start)) s"
    mkdir -p build-fuzz/artifacts
    for target in build-fuzz/fuzz/fuzz_*; do
        name=${target##*/fuzz_}
        work=$(mktemp -d)
        log=build-fuzz/artifacts/$name.log
        cp -r "tests/fuzz/corpus/$name/." "$work/"
        if ! "$target" -max_total_time="$seconds" -timeout=5 -print_final_stats=1 \
            -artifact_prefix="build-fuzz/artifacts/$name-" "$work" >"$log" 2>&1; then
            tail -n 40 "$log" >&2
            echo "pigeon.sh: fuzz_$name failed; the input is in build-fuzz/artifacts/" >&2
            rm -rf "$work"
            return 1
        fi
        echo "pigeon.sh: fuzz_$name: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')" \
            "executions in $seconds s, no crash"
        rm -rf "$work"
    done
}

case "${1:-}" in
test)
    install_packages "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    start=$(date +%s)
    configure_and_build build RelWithDebInfo -DPIGEON_WERROR=ON
    echo "pigeon.sh: build took $(($(date +%s) - start)) s"
    export QT_QPA_PLATFORM=offscreen
    ctest --test-dir build --output-on-failure --timeout 900 | tee build/ctest.log
    start=$(date +%s)
    configure_and_build build-asan Debug -DPIGEON_SANITIZE=ON -DPIGEON_WERROR=ON
    echo "pigeon.sh: sanitizer build took $(($(date +%s) - start)) s"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure --timeout 900 -LE no-sanitizer | tee build-asan/ctest.log
    fuzz 20
    # One closing line for both runs (each stopped the script had anything failed).
    total=0
    for n in $(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' build/ctest.log build-asan/ctest.log); do
        total=$((total + n))
    done
    echo "tests: $total passed, 0 failed"
    ;;
package)
    # Debian's hardening flags (PIE, RELRO, bind now, fortify), as dpkg-buildpackage would set them.
    install_packages "${RUN_PACKAGES[@]}" dpkg-dev file lintian
    eval "$(dpkg-buildflags --export=sh)"
    configure_and_build build-package Release -DPIGEON_TESTS=OFF -DCMAKE_CXX_FLAGS="$CXXFLAGS $CPPFLAGS" \
        -DCMAKE_EXE_LINKER_FLAGS="$LDFLAGS"
    (cd build-package && cpack -G DEB)
    deb=$(ls build-package/pigeon_*.deb)
    lintian "$deb" || true
    echo "pigeon.sh: $deb; install it with: sudo apt-get install ./$deb"
    ;;
fuzz)
    install_packages "${RUN_PACKAGES[@]}" clang-14 libclang-rt-14-dev
    fuzz "${2:-600}"
    ;;
bench)
    install_packages "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    configure_and_build build-release Release
    exec tests/bench/run.sh build-release "${2:-build-release/bench.txt}"
    ;;
*)
    install_packages "${RUN_PACKAGES[@]}"
    configure_and_build build RelWithDebInfo
    exec build/pigeon "$@"
    ;;
esac
