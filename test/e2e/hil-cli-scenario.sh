#!/usr/bin/env bash
# The admin and project-user scenario through `hil`, as a HIL operator would type it, against a server running the
# controllers (networking actions really reach DONE on the mock switch). Run by test/e2e/hil-cli-scenario.test.ts,
# which sets HIL_ENDPOINT, HIL_USERNAME/HIL_PASSWORD and ADMIN_USERNAME/ADMIN_PASSWORD (the admin), and how to run
# `hil` from this checkout (HIL_NODE --import HIL_TSX HIL_TS).
set -euo pipefail

hil() { "$HIL_NODE" --import "$HIL_TSX" "$HIL_TS" "$@"; }
step() { echo "ok - $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_error REGEX ARGS…: `hil ARGS…` must fail, printing an error matching REGEX.
expect_error() {
  local re=$1 out
  shift
  if out=$(hil "$@" 2>&1); then fail "hil $* succeeded: $out"; fi
  [[ $out =~ $re ]] || fail "hil $*: '$out' does not match '$re'"
}
status_id() { sed -E 's/.*"status_id":"([^"]+)".*/\1/'; }
wait_done() {
  local status
  for _ in $(seq 1 60); do
    status=$(hil networking-action show "$1" --json | sed -E 's/.*"status":"([A-Z]+)".*/\1/')
    [[ $status == DONE ]] && return 0
    [[ $status == PENDING ]] || fail "networking action $1 is $status"
    sleep 0.5
  done
  fail "networking action $1 still $status"
}

[[ $(hil node list all) == '[]' ]] || fail 'hil node list all is not []'
step "hil node list all prints [] (the install guide's ending)"

hil project create runway
hil user create alice alice-password regular
hil user project add alice runway
hil switch register sw1 mock sw1.example.com admin switch-pw
hil port register sw1 gi1/0/1
# `hil node register` makes obmd nodes; a server without the obmd driver takes HIL's pre-0.4 body, sent with curl.
if ! hil node register node-01 http://obmd.example.com/node/node-01 obmd-token 2>/dev/null; then
  curl -sf -u "$HIL_USERNAME:$HIL_PASSWORD" -X PUT "$HIL_ENDPOINT/v0/node/node-01" \
    -d '{"obm": {"type": "http://schema.massopencloud.org/haas/v0/obm/ipmi", "host": "bmc-01", "user": "ADMIN", "password": "pw"}}'
fi
hil node nic register node-01 eth0 52:54:00:00:01:01
hil port nic add sw1 gi1/0/1 node-01 eth0
hil project node add runway node-01
expect_error '^Error: Project runway already exists\.$' project create runway
step 'admin: project, user, switch, port, node, NIC, cabling'

export HIL_USERNAME=alice HIL_PASSWORD=alice-password
expect_error '^Error: This operation is administrator-only\.$' project list
hil network create runway-net runway
id=$(hil node network connect node-01 eth0 runway-net vlan/native --json | status_id)
wait_done "$id"
hil network show runway-net | grep -q 'node-01(eth0)' || fail 'network show does not list node-01(eth0)'
hil node show node-01 | grep -q 'runway-net(vlan/native)' || fail 'node show does not list runway-net(vlan/native)'
step 'alice: connect, the networking action polled to DONE, shown by network show and node show'

expect_error '^Error: Node attached to a network$' project node remove runway node-01
id=$(hil node network detach node-01 eth0 runway-net --json | status_id)
wait_done "$id"
hil project node remove runway node-01
hil network delete runway-net
[[ $(hil project list-networks runway --json) == '[]' ]] || fail 'runway still has networks'
step 'alice: detach polled to DONE, node released, network deleted'

export HIL_USERNAME=$ADMIN_USERNAME HIL_PASSWORD=$ADMIN_PASSWORD
hil project delete runway
[[ $(hil project list) == '[]' ]] || fail 'projects left'
echo 'scenario complete'
