#!/usr/bin/env bash
# Stop the daemons that tests/slurm/start-cluster.sh started (and only those).
set -uo pipefail
STATE=${SLURM_TEST_STATE:-/var/tmp/paperfigs-slurm}
for daemon in slurmd slurmctld munged; do
    pidfile="$STATE/$daemon.pid"
    if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        kill "$(cat "$pidfile")" && echo "stop-cluster: stopped $daemon"
    fi
    rm -f "$pidfile"
done
