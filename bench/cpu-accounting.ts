import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (user + system, ms) used so far by each process, and the group it belongs to. */
export type CpuSample = Map<number, { group: string; cpuMs: number }>;

const TICK_MS = 10; // USER_HZ is 100 on Linux

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  cpuMs: number;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      // comm is in parentheses and may hold spaces: the fields after it are split from its end.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      out.push({ pid: Number(name), ppid: Number(f[1]), comm, cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS });
    } catch {
      // exited while listing
    }
  }
  return out;
}

/**
 * Groups: each `roots` entry (a pid and all its descendants), PostgreSQL's processes, redis-server,
 * and `other` (everything else on the machine: dockerd, the sandboxes, other users' work).
 */
export function sampleCpu(roots: Record<string, number>): CpuSample {
  const procs = processes();
  const children = new Map<number, Proc[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const sample: CpuSample = new Map();
  for (const [group, pid] of Object.entries(roots)) {
    const stack = procs.filter((p) => p.pid === pid);
    while (stack.length) {
      const p = stack.pop()!;
      if (sample.has(p.pid)) continue;
      sample.set(p.pid, { group, cpuMs: p.cpuMs });
      stack.push(...(children.get(p.pid) ?? []));
    }
  }
  for (const p of procs) {
    if (sample.has(p.pid)) continue;
    const group = p.comm.startsWith('postgres') ? 'postgres' : p.comm.startsWith('redis-server') ? 'redis' : 'other';
    sample.set(p.pid, { group, cpuMs: p.cpuMs });
  }
  return sample;
}

/**
 * CPU ms per group between two samples, per process: a process that started meanwhile counts
 * whole, one that ended meanwhile is lost (its last figures are gone with it).
 */
export function cpuBetween(before: CpuSample, after: CpuSample): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [pid, { group, cpuMs }] of after) {
    const was = before.get(pid);
    used[group] = (used[group] ?? 0) + cpuMs - (was && was.group === group ? was.cpuMs : 0);
  }
  return used;
}
