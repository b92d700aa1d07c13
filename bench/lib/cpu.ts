import { readFileSync } from "node:fs";
import type { WorkerProcess } from "./worker-process.js";

/**
 * CPU time (user + system, µs) of this process, of a peer process and of
 * the nats-server, from one moment.
 */
export interface CpuMark {
  local: number;
  peer: number;
  /** NaN where /proc cannot tell (not Linux). */
  nats: number;
}

/** Linux's USER_HZ: the unit of the CPU times in /proc/<pid>/stat. */
const ticksPerSecond = 100;

/** CPU time of another process from /proc (utime + stime), in µs. */
export function processCpuUs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1e6) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}

export async function cpuMark(peer: WorkerProcess, natsPid: number | undefined): Promise<CpuMark> {
  const { cpuUs } = await peer.ask<{ cpuUs: number }>({ cmd: "cpu" });
  const usage = process.cpuUsage();
  return { local: usage.user + usage.system, peer: cpuUs, nats: processCpuUs(natsPid) };
}

/** CPU µs per operation on each side between two marks. */
export function cpuPerOp(from: CpuMark, to: CpuMark, ops: number): CpuMark {
  return {
    local: (to.local - from.local) / ops,
    peer: (to.peer - from.peer) / ops,
    nats: (to.nats - from.nats) / ops,
  };
}
