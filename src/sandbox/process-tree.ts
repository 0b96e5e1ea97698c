import { readdir, readFile } from 'node:fs/promises';

interface ProcStat {
  pid: number;
  ppid: number;
  session: number;
  /** R, S, D, T, Z …: a zombie is dead already, only waiting for its parent. */
  state: string;
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
        state: fields[0],
        ppid: Number(fields[1]),
        session: Number(fields[3]),
      });
    } catch {
      // the process ended while we were listing
    }
  }
  return stats;
}

/** The sandbox's container as far as killing a tree needs: its id, and the freezer (`docker pause`). */
export interface FreezableContainer {
  id: string;
  pause(): Promise<unknown>;
  unpause(): Promise<unknown>;
  inspect(): Promise<{ State: { Paused: boolean } }>;
}

/**
 * Kills, from the host, every process of the sessions started under `rootPid` (a `docker exec`
 * process: exec.sh puts the student's shell in its own session). Done from the host because
 * inside a sandbox that hit its pids limit no `kill` can be forked. Signalling a list read from
 * /proc races a fork bomb: a child born after the scan survives and refills the freed pids within
 * milliseconds (seen under load: five stop-and-kill passes in a row, the bomb still there). So the
 * whole sandbox is frozen first (the cgroup freezer, `docker pause`): nothing in it can fork, the
 * list is final, every process of the tree gets SIGKILL, and thawing ends them before they run
 * another instruction. The inner engine is frozen with it for those few milliseconds only, and
 * only when the tree has a process left (most commands leave none: one /proc scan).
 * Processes that called setsid themselves escape this and die with the sandbox at release.
 * Returns how many were killed.
 */
export async function killSessionTree(rootPid: number, container: FreezableContainer): Promise<number> {
  let killed = 0;
  for (let pass = 0; pass < 3; pass++) {
    if (!(await sessionProcesses(rootPid, container.id)).length) break;
    const paused = await container.pause().then(
      () => true,
      () => false,
    );
    let targets: number[];
    try {
      // Without the freezer (the engine refused) the kill is a race, repeated by the next pass.
      targets = await sessionProcesses(rootPid, container.id);
      for (const pid of targets) signal(pid, 'SIGKILL');
    } finally {
      if (paused) await thaw(container);
    }
    killed += targets.length;
    await reaped(targets);
  }
  return killed;
}

/**
 * Unpauses; a container no longer paused meanwhile (killed by a watchdog, which ends the freeze)
 * is not an error — one still frozen is, or every later command would hang.
 */
async function thaw(container: FreezableContainer): Promise<void> {
  try {
    await container.unpause();
  } catch (error) {
    const paused = await container.inspect().then(
      (i) => i.State.Paused,
      () => false,
    );
    if (paused) throw error;
  }
}

/**
 * Killed processes count against the pids limit until the sandbox's init reaps them: wait for
 * that (bounded), or the next command could not fork.
 */
async function reaped(pids: number[]): Promise<void> {
  const deadline = Date.now() + 3000;
  for (let left = pids; left.length && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 20));
    left = (await Promise.all(left.map(async (pid) => ((await isAlive(pid)) ? pid : 0)))).filter((pid) => pid > 0);
  }
}

/** The processes of the sessions under `rootPid` that belong to this sandbox, zombies excluded. */
async function sessionProcesses(rootPid: number, containerId: string): Promise<number[]> {
  const stats = (await readStats()).filter((s) => s.state !== 'Z');
  const sessions = new Set<number>([rootPid, ...sessionsUnder(stats, rootPid)]);
  const candidates = stats.filter((s) => sessions.has(s.session) || s.pid === rootPid);
  const inside = await Promise.all(candidates.map(async (s) => ((await inContainer(s.pid, containerId)) ? s.pid : 0)));
  return inside.filter((pid) => pid > 0);
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
  const targets = (await sessionProcesses(rootPid, containerId)).filter(
    (pid) => !(options.spareRoot && pid === rootPid),
  );
  for (const pid of targets) signal(pid, name);
  return targets.length;
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
