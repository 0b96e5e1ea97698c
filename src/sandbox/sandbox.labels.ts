import { hostname } from 'node:os';

/** Labels put on every host resource the sandbox engine creates, so the reaper can find leftovers. */
export const SandboxLabels = {
  sandbox: 'org.dockgrader.sandbox',
  owner: 'org.dockgrader.owner',
  deadline: 'org.dockgrader.deadline',
  role: 'org.dockgrader.role',
  /** On the read-only volume of a golden store's layers: the image set's hash. */
  golden: 'org.dockgrader.golden',
} as const;

/** Name of the engine volume holding a golden store's layers (one per image set). */
export function goldenVolumeName(setHash: string): string {
  return `dockgrader-golden-${setHash}`;
}

/** This process as an owner: `<host>:<pid>`; the reaper checks the pid when the host matches. */
export function currentOwner(): string {
  return `${hostname()}:${process.pid}`;
}

export function parseOwner(owner: string | undefined): { host: string; pid: number } | undefined {
  const match = /^(.*):(\d+)$/.exec(owner ?? '');
  return match ? { host: match[1], pid: Number(match[2]) } : undefined;
}
