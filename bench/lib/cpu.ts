import type { WorkerProcess } from "./worker-process.js";

/** CPU time (user + system, µs) of this process and of a peer process, from one moment. */
export interface CpuMark {
  local: number;
  peer: number;
}

export async function cpuMark(peer: WorkerProcess): Promise<CpuMark> {
  const { cpuUs } = await peer.ask<{ cpuUs: number }>({ cmd: "cpu" });
  const usage = process.cpuUsage();
  return { local: usage.user + usage.system, peer: cpuUs };
}

/** CPU µs per operation on each side between two marks. */
export function cpuPerOp(from: CpuMark, to: CpuMark, ops: number): CpuMark {
  return { local: (to.local - from.local) / ops, peer: (to.peer - from.peer) / ops };
}
