/**
 * Where the CPU went during a measured interval: this Node process and the Firestore emulator's JVM, each as a
 * share of one core. On a 2-core machine the two together cannot exceed 200 %.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** The pids of Java processes running the Firestore emulator (none when it is not running or not on Linux). */
function firestoreEmulatorPids(): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8');
      if (cmd.includes('java') && /firestore/i.test(cmd)) pids.push(Number(e));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state; utime and stime are 14th and 15th.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export interface CpuSplit {
  /** This process, % of one core. */
  nodePercent: number;
  /** The Firestore emulator's JVM, % of one core (0 when none was found). */
  emulatorPercent: number;
}

/** Starts measuring; the returned function ends the interval and gives the split over it. */
export function startCpuSplit(): () => CpuSplit {
  const pids = firestoreEmulatorPids();
  const emulator0 = pids.reduce((s, p) => s + cpuSecondsOf(p), 0);
  const node0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const node = process.cpuUsage(node0);
    const emulator = pids.reduce((s, p) => s + cpuSecondsOf(p), 0) - emulator0;
    const pct = (cpuSeconds: number) => Math.round((cpuSeconds / wall) * 1000) / 10;
    return { nodePercent: pct((node.user + node.system) / 1e6), emulatorPercent: pct(emulator) };
  };
}
