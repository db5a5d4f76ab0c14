#!/usr/bin/env bash
# Runs an hvsim sweep as a real Slurm job array on this machine and checks that the merged
# results.csv equals a serial run's byte for byte. It starts munged and a single-node Slurm
# (controller and node daemon on localhost) when none answers, so it needs root and Debian's
# slurm-wlm and munge. Usage: tools/slurm_local_check.sh HVSIM EXPERIMENT.toml WORKDIR
# Exit status: 0 equal, 1 different or failed, 77 Slurm cannot be used here (the reason on stderr).
set -euo pipefail
hvsim="$(realpath "$1")" exp="$(realpath "$2")" work="$3"
skip() { echo "slurm_local_check: skipped: $*" >&2; exit 77; }
command -v slurmctld >/dev/null && command -v sbatch >/dev/null || skip "slurm-wlm is not installed"
command -v munged >/dev/null || skip "munge is not installed"
[ "$(id -u)" = 0 ] || skip "starting slurmctld and slurmd needs root"

if ! timeout 5 sinfo >/dev/null 2>&1; then
  mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
  chown munge:munge /run/munge 2>/dev/null || true
  [ -f /etc/munge/munge.key ] || skip "no /etc/munge/munge.key"
  pgrep -x munged >/dev/null || munged --force 2>/dev/null || skip "munged does not start"
  if [ ! -f /etc/slurm/slurm.conf ]; then
    mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
    cat >/etc/slurm/slurm.conf <<CONF
ClusterName=hvsim
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
NodeName=localhost CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  fi
  pgrep -x slurmctld >/dev/null || slurmctld || skip "slurmctld does not start"
  pgrep -x slurmd >/dev/null || slurmd || skip "slurmd does not start"
  for _ in $(seq 20); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 1; done
  sinfo -h -o %T 2>/dev/null | grep -q idle || skip "the Slurm node does not come up idle"
fi

rm -rf "$work"
mkdir -p "$work"
"$hvsim" sweep "$exp" --out "$work/serial" >/dev/null 2>&1
"$hvsim" sweep "$exp" --out "$work/slurm" --slurm --array-size 2 >/dev/null
(cd "$work/slurm" && sbatch --wait sweep.sbatch)
"$hvsim" sweep --merge "$work/slurm"
cmp "$work/serial/results.csv" "$work/slurm/results.csv"
echo "slurm_local_check: the Slurm array's merged results.csv equals the serial run's"
