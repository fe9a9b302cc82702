#!/usr/bin/env bash
# LAN announcement (--broadcast) between two Pigeons on two hosts of a network made here: two network namespaces
# joined by a veth pair, removed on exit. Broadcasts never leave the namespaces; nothing is sent anywhere else.
# Usage: broadcast.sh PIGEON_BINARY
set -euo pipefail
pigeon=$(readlink -f "$1")
tag=$$
ns_a=pigeon-a-$tag
ns_b=pigeon-b-$tag
tmp=$(mktemp -d)
pids=()

cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    ip netns del "$ns_a" 2>/dev/null || true
    ip netns del "$ns_b" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    for f in "$tmp"/*.out; do echo "--- $f"; cat "$f"; done
    exit 1
}

# Waits up to 20 s for a line in a console's output.
expect() { # file text
    for _ in $(seq 200); do
        grep -qF -- "$2" "$1" && return 0
        sleep 0.1
    done
    fail "$(basename "$1") never printed: $2"
}

ip netns add "$ns_a" || fail "cannot create a network namespace (this test needs root and iproute2)"
ip netns add "$ns_b" || fail "cannot create a network namespace"
ip link add "pga$tag" netns "$ns_a" type veth peer name "pgb$tag" netns "$ns_b" || fail "cannot create a veth pair"
ip -n "$ns_a" addr add 10.77.0.1/24 dev "pga$tag"
ip -n "$ns_b" addr add 10.77.0.2/24 dev "pgb$tag"
for ns in "$ns_a" "$ns_b"; do
    ip -n "$ns" link set lo up
done
ip -n "$ns_a" link set "pga$tag" up
ip -n "$ns_b" link set "pgb$tag" up

start() { # name namespace extra-options...
    local name=$1 ns=$2
    shift 2
    mkfifo "$tmp/$name.in"
    ip netns exec "$ns" "$pigeon" --console --port 2425 --profile "$tmp/$name" --name "$name" "$@" \
        <"$tmp/$name.in" >"$tmp/$name.out" 2>&1 &
    pids+=($!)
    exec {fd}>"$tmp/$name.in"
    eval "${name}_in=$fd"
    expect "$tmp/$name.out" "listening"
}

# Bob listens quietly; Alice announces herself to the LAN.
start Bob "$ns_b"
start Alice "$ns_a" --broadcast

# Bob hears Alice's broadcast entry and answers; each now lists the other, by the address it really came from.
expect "$tmp/Bob.out" "Alice? (10.77.0.1:2425) is online"
expect "$tmp/Alice.out" "Bob? (10.77.0.2:2425) is online"
# Alice does not hear herself.
if grep -qF "Alice? (10.77.0.1:2425)" "$tmp/Alice.out"; then fail "Alice listed her own broadcast"; fi

echo "/to 10.77.0.2:2425" >&"$Alice_in"
echo "hello over the LAN" >&"$Alice_in"
expect "$tmp/Bob.out" "Alice? (10.77.0.1:2425): hello over the LAN"
expect "$tmp/Alice.out" "(delivered to 10.77.0.2:2425)"

# Leaving says goodbye to the LAN too; the broadcast goodbye, in the clear, carries Alice's key: no forgery.
echo "/quit" >&"$Alice_in"
expect "$tmp/Bob.out" "Alice? (10.77.0.1:2425) went offline"
wait "${pids[1]}"

# Alice's installation comes back as Carol (the same profile, so the same key Bob pinned for 10.77.0.1:2425; another
# key there would rightly be a key change), and chose LAN announcement in her settings (as the desktop window saves
# it): no --broadcast needed.
cp -a "$tmp/Alice" "$tmp/Carol"
printf '[network]\nbroadcast=true\n' >>"$tmp/Carol/settings.ini"
start Carol "$ns_a"
expect "$tmp/Bob.out" "Carol? (10.77.0.1:2425) is online"
echo "/quit" >&"$Carol_in"
expect "$tmp/Bob.out" "Carol? (10.77.0.1:2425) went offline"
if grep -qF "Refused" "$tmp/Bob.out"; then fail "Bob refused a datagram of Alice's or Carol's"; fi
if grep -qF "key changed" "$tmp/Bob.out"; then fail "Bob saw a key change"; fi
echo "/quit" >&"$Bob_in"
wait "${pids[@]}"
echo "broadcast: 1 passed, 0 failed"
