import { readdir, readFile } from 'node:fs/promises';

interface ProcStat {
  pid: number;
  ppid: number;
  session: number;
}

async function readStats(): Promise<ProcStat[]> {
  const stats: ProcStat[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = await readFile(`/proc/${name}/stat`, 'utf8');
      // The command name may contain spaces and parentheses: fields start after the last ')'.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.push({ pid: Number(name), ppid: Number(fields[1]), session: Number(fields[3]) });
    } catch {
      // the process ended while we were listing
    }
  }
  return stats;
}

/**
 * Kills, from the host, every process of the sessions started under `rootPid` (a `docker exec`
 * process: exec.sh puts the student's shell in its own session). Done from the host because
 * inside a sandbox that hit its pids limit no `kill` can be forked. Processes are stopped first
 * and killed once no new one appears: a stopped process cannot fork, so a fork bomb converges.
 * Processes that called setsid themselves escape this and die with the sandbox at release.
 * Returns how many were killed.
 */
export async function killSessionTree(rootPid: number, containerId: string, rounds = 50): Promise<number> {
  const stopped = new Set<number>();
  const sessions = new Set<number>([rootPid]);
  for (let round = 0; round < rounds; round++) {
    const stats = await readStats();
    const children = new Map<number, ProcStat[]>();
    for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
    // exec.sh's setsid usually makes the exec process its session leader: its pid names the session
    // even after it exited and left background processes holding the output pipe.
    const root = stats.find((s) => s.pid === rootPid);
    const queue = root ? [root] : [];
    while (queue.length) {
      const s = queue.pop()!;
      // Never the root's own session when it is shared with the sandbox's init (exec without setsid).
      if (s !== root || root.session === root.pid) sessions.add(s.session);
      queue.push(...(children.get(s.pid) ?? []));
    }
    const candidates = stats.filter((s) => (sessions.has(s.session) || s.pid === rootPid) && !stopped.has(s.pid));
    // Only processes of this sandbox's cgroup: a pid reused on the host is never touched.
    const fresh = (
      await Promise.all(candidates.map(async (s) => ((await inContainer(s.pid, containerId)) ? s : undefined)))
    ).filter((s): s is ProcStat => s !== undefined);
    if (!fresh.length) break;
    for (const v of fresh) {
      signal(v.pid, 'SIGSTOP');
      stopped.add(v.pid);
    }
  }
  for (const pid of stopped) signal(pid, 'SIGKILL');
  return stopped.size;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

async function inContainer(pid: number, containerId: string): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cgroup`, 'utf8')).includes(containerId);
  } catch {
    return false;
  }
}
