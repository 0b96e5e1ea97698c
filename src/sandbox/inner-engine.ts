import Docker from 'dockerode';
import { PassThrough, type Duplex } from 'node:stream';
import { EngineStateReader } from './engine-state.reader';
import { SandboxInfrastructureError, type ContainerExecOutcome, type InnerEngine } from './sandbox.types';

/**
 * The inner engine behind the interface grading uses. dockerode stays in this module: grading
 * reads state and runs probes without knowing how the engine is reached.
 */
export class DockerInnerEngine implements InnerEngine {
  constructor(
    readonly docker: Docker,
    /** Kills a process of the sandbox's pid namespace (as the sandbox's root). */
    private readonly killProcess: (pid: number) => Promise<void>,
  ) {}

  stateReader(startMs?: number): EngineStateReader {
    return new EngineStateReader(this.docker, startMs);
  }

  async execInContainer(
    name: string,
    command: string[],
    options: { timeoutMs: number; maxOutputBytes: number },
  ): Promise<ContainerExecOutcome> {
    let exec: Docker.Exec;
    let stream: Duplex;
    try {
      exec = await this.docker
        .getContainer(name)
        .exec({ Cmd: command, AttachStdout: true, AttachStderr: true, Tty: false });
      stream = await exec.start({ hijack: true, stdin: false });
    } catch (error) {
      // 404 no such container, 409 container not running: the student's state, reported as such.
      return {
        kind: 'unavailable',
        status: (error as { statusCode?: number }).statusCode,
        message: dockerMessage(error),
      };
    }
    const out = new PassThrough();
    let output = '';
    out.on('data', (c: Buffer) => {
      if (output.length < options.maxOutputBytes) output += c.toString('utf8');
    });
    this.docker.modem.demuxStream(stream, out, out);
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
    });
    try {
      if ((await Promise.race([ended, timedOut])) === 'timeout') {
        stream.destroy();
        // Closing the stream leaves the process running in the student's container (an exec
        // cannot be stopped through the API): a probe that hangs would keep loading the sandbox.
        await this.stop(exec);
        return { kind: 'timeout', output: output.slice(0, options.maxOutputBytes) };
      }
    } finally {
      clearTimeout(timer);
    }
    const info = await exec.inspect();
    return { kind: 'exited', code: info.ExitCode ?? null, output: output.slice(0, options.maxOutputBytes) };
  }

  private async stop(exec: Docker.Exec): Promise<void> {
    const info = await exec.inspect().catch(() => undefined);
    // The pid is the one the inner engine sees: the sandbox's pid namespace, where killProcess runs.
    if (info?.Running && info.Pid) await this.killProcess(info.Pid).catch(() => undefined);
  }
}

function dockerMessage(error: unknown): string {
  const e = error as { json?: { message?: string }; message?: string };
  return e.json?.message ?? e.message ?? String(error);
}

/** Waits until the sandbox's inner dockerd answers on its unix socket; fails fast if the sandbox died. */
/** A sandbox container's state as the host engine reports it; undefined when it is gone or the engine does not answer. */
export function containerState(container: Docker.Container): Promise<Docker.ContainerInspectInfo['State'] | undefined> {
  return container
    .inspect()
    .then((i) => i.State)
    .catch(() => undefined);
}

/**
 * How a sandbox container that stopped during its start ended (exit code, OOM, its last log
 * lines), or undefined while it runs: the only trace left of why, once it is removed.
 */
export async function exitedContainer(container: Docker.Container): Promise<string | undefined> {
  const state = await containerState(container);
  if (state?.Running) return undefined;
  const logs = await container.logs({ stdout: true, stderr: true, tail: 20 }).catch(() => Buffer.from(''));
  const how = state ? `exit code ${state.ExitCode}${state.OOMKilled ? ', killed for memory' : ''}` : 'container gone';
  return `${how}: ${logs.toString('utf8').slice(-2000)}`;
}

export async function waitForInnerEngine(
  socketPath: string,
  container: Docker.Container,
  timeoutMs: number,
): Promise<Docker> {
  const inner = new Docker({ socketPath });
  const deadline = Date.now() + timeoutMs;
  let polls = 0;
  for (;;) {
    try {
      await inner.ping();
      return inner;
    } catch (error) {
      // Checking the container costs a host API call: only now and then.
      if (++polls % 20 === 0) {
        const exited = await exitedContainer(container);
        if (exited) throw new SandboxInfrastructureError(`sandbox exited before its engine answered: ${exited}`);
      }
      if (Date.now() > deadline)
        throw new SandboxInfrastructureError(`inner engine did not answer within ${timeoutMs} ms`, { cause: error });
      await new Promise((r) => setTimeout(r, 15));
    }
  }
}
