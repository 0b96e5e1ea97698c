import Docker from 'dockerode';
import { SandboxInfrastructureError } from './sandbox.types';

/** Waits until the sandbox's inner dockerd answers on its unix socket; fails fast if the sandbox died. */
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
        const state = await container
          .inspect()
          .then((i) => i.State)
          .catch(() => undefined);
        if (!state?.Running) {
          const logs = await container.logs({ stdout: true, stderr: true, tail: 20 }).catch(() => Buffer.from(''));
          throw new SandboxInfrastructureError(
            `sandbox exited before its engine answered: ${logs.toString('utf8').slice(-2000)}`,
          );
        }
      }
      if (Date.now() > deadline)
        throw new SandboxInfrastructureError(`inner engine did not answer within ${timeoutMs} ms`, { cause: error });
      await new Promise((r) => setTimeout(r, 15));
    }
  }
}
