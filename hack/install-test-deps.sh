#!/usr/bin/env bash
# Installs, idempotently, the system packages the test suite needs (Debian). Safe to run again.
# Needs root (or sudo). npm packages come from `npm ci`, not from here.
set -euo pipefail

PACKAGES=(
  ca-certificates openssl     # TLS tests make their own CA
  python3 make g++            # better-sqlite3 builds its native addon with node-gyp
  postgresql                  # the store suite runs on a real PostgreSQL (a throwaway cluster if none runs)
  postgresql-contrib
  openvswitch-switch          # switch drivers and the netns lab: private ovsdb-server + ovs-vswitchd (hack/lab/lab.ts)
  iproute2                    # the lab's namespaces and veth pairs; the linuxbridge driver
  iputils-ping                # the lab's ping matrix (ovs-isolation test)
  tcpdump                     # the lab's frame captures (802.1Q tags on trunk ports)
  ethtool                     # `ethtool -K eth0 tx off` on lab node ends (TCP over the netdev datapath)
  ipmitool openipmi           # the ipmi OBM driver (ipmitool) and the BMCs it is tested against (ipmi_sim)
  libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu   # headnodes: test:///default, and a libvirtd the e2e test starts
  qemu-system-x86 qemu-utils  # the headnode e2e VM (TCG) and its qcow2 disks
  libvirt-dev pkg-config      # @unraid/libvirt compiles its native addon against them during `npm ci`
  virtinst                    # virt-clone
  chromium                    # the web console's browser test (driven by playwright-core from npm)
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-test-deps: not root and no sudo; install these yourself: ${PACKAGES[*]}" >&2
    exit 1
  fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: all ${#PACKAGES[@]} packages already installed"
else
  echo "install-test-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v kubectl >/dev/null 2>&1 || echo "install-test-deps: kubectl is not installed; the kubectl tests will be skipped (Debian has no kubectl 1.3x)" >&2
