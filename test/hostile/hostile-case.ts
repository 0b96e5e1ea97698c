import Docker from 'dockerode';
import { appendFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from '../../src/config/env';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox';
import { loadImageCatalog, repositoryManifestPath } from '../../src/sandbox/image-catalog';
import { sandboxConfigFromEnv, type SandboxConfig } from '../../src/sandbox/sandbox.config';
import { SandboxLabels } from '../../src/sandbox/sandbox.labels';
import { DockerSandboxDriver } from '../../src/sandbox/sandbox.driver';
import type { ExecResult, SandboxLimits } from '../../src/sandbox/sandbox.types';

/**
 * The hostile catalogue's harness: each case runs in a real sandbox, asserts what contained it,
 * and leaves one line in the report that `npm run test:hostile` prints as a table.
 */

/** Where each case appends its line (JSON); scripts/hostile-table.cjs reads it. */
export const REPORT_PATH = process.env.HOSTILE_REPORT ?? join(tmpdir(), 'dockgrader-hostile.jsonl');

export interface CaseLine {
  case: string;
  containedBy: string;
  /** What the submission gets: `graded`, or the sandbox's stop reason (the documented limit statuses). */
  status: string;
  ms: number;
  passed: boolean;
  error?: string;
}

const MB = 1024 * 1024;

/** Small limits: hostile cases hit them quickly. */
export const HOSTILE_LIMITS: Partial<SandboxLimits> = {
  memoryBytes: 512 * MB,
  memorySwapBytes: 512 * MB,
  pidsLimit: 300,
  diskBytes: 300 * MB,
  maxOutputBytes: 64 * 1024,
};

export function makeDriver(overrides: Partial<SandboxConfig> = {}): DockerSandboxDriver {
  const config = { ...sandboxConfigFromEnv(loadEnv({ ...process.env })), poolSize: 0, ...overrides };
  return new DockerSandboxDriver(new Docker(), config, loadImageCatalog(repositoryManifestPath), () => undefined);
}

/** One driver for a spec file: made before its cases, shut down after them. */
export function specDriver(overrides: Partial<SandboxConfig> = {}): () => DockerSandboxDriver {
  let driver: DockerSandboxDriver;
  beforeAll(() => {
    driver = makeDriver(overrides);
  });
  afterAll(async () => {
    await driver.shutdown();
  });
  return () => driver;
}

/** Status a case reports: the sandbox's own stop when one happened, else graded. */
export function statusOf(...results: ExecResult[]): string {
  return results.find((r) => r.stoppedBy)?.stoppedBy ?? 'graded';
}

/**
 * One hostile case: `body` gets a fresh sandbox and returns the status the submission would get.
 * Afterwards the sandbox is released and nothing of it may be left (container, network, directory).
 */
export function hostileCase(
  name: string,
  containedBy: string,
  driver: () => DockerSandboxDriver,
  body: (sandbox: DockerSandbox) => Promise<string>,
  timeoutMs = 120_000,
): void {
  reportedCase(
    name,
    containedBy,
    async () => {
      const sandbox = (await driver().acquire({ limits: HOSTILE_LIMITS })) as DockerSandbox;
      let status: string;
      try {
        status = await body(sandbox);
      } finally {
        await driver().release(sandbox);
      }
      expect(await leftoversOf(sandbox.id)).toEqual({ containers: 0, networks: 0 });
      return status;
    },
    timeoutMs,
  );
}

/** A case that manages its own sandboxes (e.g. through the grading engine); `body` returns the status. */
export function reportedCase(
  name: string,
  containedBy: string,
  body: () => Promise<string>,
  timeoutMs = 120_000,
): void {
  it(
    name,
    async () => {
      const started = Date.now();
      try {
        const status = await body();
        record({ case: name, containedBy, status, ms: Date.now() - started, passed: true });
      } catch (error) {
        const message = String(error).slice(0, 300);
        record({ case: name, containedBy, status: '-', ms: Date.now() - started, passed: false, error: message });
        throw error;
      }
    },
    timeoutMs,
  );
}

function record(line: CaseLine): void {
  appendFileSync(REPORT_PATH, `${JSON.stringify(line)}\n`);
}

/** Containers and networks still labelled with a sandbox id. */
export async function leftoversOf(id: string): Promise<{ containers: number; networks: number }> {
  const docker = new Docker();
  const filters = { label: [`${SandboxLabels.sandbox}=${id}`] };
  const [containers, networks] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
  ]);
  return { containers: containers.length, networks: networks.length };
}

/** Runs a line as the student would (unprivileged shell of the sandbox). */
export function run(sandbox: DockerSandbox, line: string, timeoutMs = 60_000): Promise<ExecResult> {
  return sandbox.exec(line, { timeoutMs });
}

/**
 * A host-wide kernel setting a case tries to change: harmless (`kernel.printk_ratelimit`), read
 * before, compared after, and written back with the value read if it ever changed — the test then
 * fails. Never core_pattern, sysrq or anything that can hurt the machine.
 */
export const HARMLESS_SYSCTL = '/proc/sys/kernel/printk_ratelimit';

export async function expectHostSettingUnchanged(attack: () => Promise<void>): Promise<void> {
  const before = (await readFile(HARMLESS_SYSCTL, 'utf8')).trim();
  try {
    await attack();
  } finally {
    const after = (await readFile(HARMLESS_SYSCTL, 'utf8')).trim();
    if (after !== before) await writeFile(HARMLESS_SYSCTL, before);
    expect(after).toBe(before);
  }
}

/** A value the attack writes: different from the current one, so a successful write would show. */
export async function otherValue(): Promise<string> {
  const current = Number((await readFile(HARMLESS_SYSCTL, 'utf8')).trim());
  return String(current === 7 ? 8 : 7);
}

/**
 * Runs the line `line(value, setting)` built to write a new value into the harmless host setting:
 * the setting must be unchanged afterwards and the line must report its failure as `rc=<non-zero>`.
 */
export async function attemptHostWrite(
  sandbox: DockerSandbox,
  line: (value: string, setting: string) => string,
  timeoutMs?: number,
): Promise<ExecResult> {
  const value = await otherValue();
  let result: ExecResult | undefined;
  await expectHostSettingUnchanged(async () => {
    result = await run(sandbox, line(value, HARMLESS_SYSCTL), timeoutMs);
  });
  expect(result!.output).toMatch(/rc=[1-9]/);
  return result!;
}
