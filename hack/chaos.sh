#!/usr/bin/env bash
# The chaos run (hack/chaos.ts): hack/chaos.sh --minutes N --seed S [--json FILE] [--quiet]
# Needs root and the lab's tools (hack/install-test-deps.sh). Exit code 1 on any isolation violation.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx hack/chaos.ts "$@"
