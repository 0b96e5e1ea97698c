import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { EngineStateReader } from './engine-state.reader';

/** A fake inner engine: one container, counts calls, emits the queued events on the next getEvents. */
function fakeEngine() {
  const calls = { listContainers: 0, inspect: 0, listImages: 0 };
  let pending: object[] = [];
  let state = 'running';
  const docker = {
    listContainers: () => {
      calls.listContainers++;
      return Promise.resolve([{ Id: 'c1', State: state }]);
    },
    getContainer: () => ({
      inspect: () => {
        calls.inspect++;
        return Promise.resolve({
          Id: 'c1',
          Name: '/web',
          Image: 'sha256:i1',
          Config: { Image: 'nginx', Env: [], Labels: {} },
          State: { Status: state, ExitCode: 0 },
          HostConfig: { RestartPolicy: { Name: 'no' } },
          NetworkSettings: { Networks: { bridge: {} }, Ports: {} },
          Mounts: [],
        });
      },
    }),
    listImages: () => {
      calls.listImages++;
      return Promise.resolve([]);
    },
    listVolumes: () => Promise.resolve({ Volumes: [] }),
    listNetworks: () => Promise.resolve([{ Name: 'bridge', Driver: 'bridge' }]),
    getEvents: () => {
      const stream = new PassThrough();
      stream.end(pending.map((e) => `${JSON.stringify(e)}\n`).join(''));
      pending = [];
      return Promise.resolve(stream);
    },
  };
  return {
    docker: docker as unknown as Docker,
    calls,
    emit: (e: object) => pending.push(e),
    setState: (s: string) => (state = s),
  };
}

describe('EngineStateReader', () => {
  it('reuses the previous snapshot when no event happened since it began', async () => {
    const engine = fakeEngine();
    const recorder = new EngineStateReader(engine.docker);
    const first = await recorder.snapshot(-1);
    expect(await recorder.events(0)).toEqual([]);
    const second = await recorder.snapshot(0);
    expect(engine.calls.listContainers).toBe(1);
    expect(second).toEqual({ ...first, afterCommand: 0 });
  });

  it('reads the state again after an event, inspecting only the containers it names', async () => {
    const engine = fakeEngine();
    const recorder = new EngineStateReader(engine.docker);
    await recorder.snapshot(-1);
    engine.emit({ Type: 'network', Action: 'create', Actor: { ID: 'n1', Attributes: { name: 'other' } }, timeNano: 1 });
    await recorder.events(0);
    await recorder.snapshot(0);
    expect(engine.calls.listContainers).toBe(2);
    expect(engine.calls.inspect).toBe(1); // c1 was not named: its details are reused

    engine.setState('exited');
    engine.emit({ Type: 'container', Action: 'die', Actor: { ID: 'c1', Attributes: { exitCode: '0' } }, timeNano: 2 });
    await recorder.events(1);
    const after = await recorder.snapshot(1);
    expect(engine.calls.inspect).toBe(2);
    expect(after.containers[0].state).toBe('exited');
  });

  it('does not reuse a snapshot when events() was not asked in between', async () => {
    const engine = fakeEngine();
    const recorder = new EngineStateReader(engine.docker);
    await recorder.snapshot(-1);
    await recorder.snapshot(0);
    expect(engine.calls.listContainers).toBe(2);
  });
});
