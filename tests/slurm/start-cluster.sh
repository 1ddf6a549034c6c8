#!/usr/bin/env bash
# Bring up a single-node SLURM cluster on this machine for the tests (as root, no systemd):
# munged, slurmctld and slurmd from Debian's packages; one node with this machine's CPUs and
# memory; partitions `cpu` (default) and `gpu`; two fake GPUs as GRES backed by /dev/null and
# /dev/zero, so that gpu=1 requests really schedule and each job gets its own
# CUDA_VISIBLE_DEVICES. Idempotent: a running cluster is left as it is. Stop it with
# tests/slurm/stop-cluster.sh, which stops only the daemons started here (pid files).
#
#   tests/slurm/start-cluster.sh [--install]     # --install: apt-get the packages first
set -euo pipefail

STATE=${SLURM_TEST_STATE:-/var/tmp/paperfigs-slurm}
CONF_DIR=/etc/slurm
mkdir -p "$STATE"

if [[ "${1:-}" == "--install" ]] && ! command -v slurmctld >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi
for tool in munged slurmctld slurmd sinfo; do
    command -v "$tool" >/dev/null || { echo "start-cluster: $tool is missing; run with --install" >&2; exit 1; }
done

running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# munge: authentication between the daemons and the client commands.
if ! running "$STATE/munged.pid"; then
    install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
    install -d -o munge -g munge -m 0755 /run/munge
    [[ -s /etc/munge/munge.key ]] || runuser -u munge -- mungekey --create --keyfile /etc/munge/munge.key
    runuser -u munge -- /usr/sbin/munged --force
    sleep 0.5
    cp /run/munge/munged.pid "$STATE/munged.pid"
fi

node_line=$(slurmd -C | head -n 1)
node=$(sed -E 's/NodeName=([^ ]+).*/\1/' <<<"$node_line")
mkdir -p "$CONF_DIR" /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat >"$CONF_DIR/slurm.conf" <<CONF
ClusterName=paperfigs-test
SlurmctldHost=$node
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
GresTypes=gpu
MinJobAge=600
ReturnToService=2
SchedulerType=sched/backfill
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
$node_line Gres=gpu:2 State=UNKNOWN
PartitionName=cpu Nodes=$node Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=$node Default=NO MaxTime=INFINITE State=UP
CONF
cat >"$CONF_DIR/gres.conf" <<CONF
NodeName=$node Name=gpu File=/dev/null
NodeName=$node Name=gpu File=/dev/zero
CONF

running "$STATE/slurmctld.pid" || /usr/sbin/slurmctld
running "$STATE/slurmd.pid" || /usr/sbin/slurmd

for _ in $(seq 1 60); do
    state=$(sinfo -h -n "$node" -o %T 2>/dev/null | head -n 1 || true)
    case "$state" in
        idle|mixed|allocated) echo "start-cluster: node $node is $state"; exit 0 ;;
        down*|drain*) scontrol update nodename="$node" state=resume 2>/dev/null || true ;;
    esac
    sleep 1
done
echo "start-cluster: node $node did not become idle (state: ${state:-none}); see /var/log/slurm/" >&2
exit 1
