import { readdir, readFile } from 'node:fs/promises';

interface ProcStat {
  pid: number;
  ppid: number;
  session: number;
  /** pid + start time: a fork bomb recycles pids fast, a pid alone may name another process. */
  key: string;
}

async function readStats(): Promise<ProcStat[]> {
  const stats: ProcStat[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = await readFile(`/proc/${name}/stat`, 'utf8');
      // The command name may contain spaces and parentheses: fields start after the last ')'.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.push({
        pid: Number(name),
        ppid: Number(fields[1]),
        session: Number(fields[3]),
        key: `${name}:${fields[19]}`,
      });
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
export async function killSessionTree(rootPid: number, containerId: string): Promise<number> {
  let killed = 0;
  // A pass stops everything it finds, then kills; a process forked during a pass is found by the next.
  for (let pass = 0; pass < 5; pass++) {
    const found = await stopSessions(rootPid, containerId);
    if (!found.length) break;
    for (const pid of found) signal(pid, 'SIGKILL');
    killed += found.length;
    // Killed processes count against the pids limit until the sandbox's init reaps them: wait for
    // that (bounded), or the next command could not fork.
    const deadline = Date.now() + 3000;
    for (let left = found; left.length && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 20));
      left = (await Promise.all(left.map(async (pid) => ((await isAlive(pid)) ? pid : 0)))).filter((pid) => pid > 0);
    }
  }
  return killed;
}

/** Sends SIGSTOP to every process of the sessions until a round finds no new one; returns their pids. */
async function stopSessions(rootPid: number, containerId: string, rounds = 50): Promise<number[]> {
  const stopped = new Map<string, number>();
  const sessions = new Set<number>([rootPid]);
  for (let round = 0; round < rounds; round++) {
    const stats = await readStats();
    for (const session of sessionsUnder(stats, rootPid)) sessions.add(session);
    const candidates = stats.filter((s) => (sessions.has(s.session) || s.pid === rootPid) && !stopped.has(s.key));
    // Only processes of this sandbox's cgroup: a pid reused on the host is never touched.
    const fresh = (
      await Promise.all(candidates.map(async (s) => ((await inContainer(s.pid, containerId)) ? s : undefined)))
    ).filter((s): s is ProcStat => s !== undefined);
    if (!fresh.length) break;
    for (const v of fresh) {
      signal(v.pid, 'SIGSTOP');
      stopped.set(v.key, v.pid);
    }
  }
  return [...stopped.values()];
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

async function isAlive(pid: number): Promise<boolean> {
  try {
    await readFile(`/proc/${pid}/stat`, 'utf8');
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends `name` to every process of the sessions under `rootPid` (see killSessionTree), sparing the
 * root itself when asked: a persistent shell's command is interrupted (SIGINT, as Ctrl-C in a
 * terminal) or killed while the shell lives on. One pass, no stop: used before killSessionTree,
 * which remains the way to end a tree that keeps forking. Returns how many were signalled.
 */
export async function signalSessionTree(
  rootPid: number,
  containerId: string,
  name: NodeJS.Signals,
  options: { spareRoot?: boolean } = {},
): Promise<number> {
  const stats = await readStats();
  const sessions = new Set<number>([rootPid, ...sessionsUnder(stats, rootPid)]);
  const targets = stats.filter(
    (s) => (sessions.has(s.session) || s.pid === rootPid) && !(options.spareRoot && s.pid === rootPid),
  );
  let count = 0;
  for (const s of targets) {
    if (!(await inContainer(s.pid, containerId))) continue;
    signal(s.pid, name);
    count += 1;
  }
  return count;
}

/**
 * The sessions of a process and of all its descendants. exec.sh leaves the command in the session
 * named by the exec process's pid, which names it even after that process exited and left
 * background processes behind. Never the root's own session when it is shared with the sandbox's
 * init (exec without setsid).
 */
function sessionsUnder(stats: ProcStat[], rootPid: number): Set<number> {
  const sessions = new Set<number>();
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const root = stats.find((s) => s.pid === rootPid);
  const queue = root ? [root] : [];
  while (queue.length) {
    const s = queue.pop()!;
    if (s !== root || root.session === root.pid) sessions.add(s.session);
    queue.push(...(children.get(s.pid) ?? []));
  }
  return sessions;
}
