import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, stat, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DockerSandbox, listeningPorts } from '../../../src/sandbox/docker-sandbox';
import Docker from 'dockerode';
import { BACKGROUND_CPU_SHARES, FOREGROUND_CPU_SHARES } from '../../../src/sandbox/sandbox-container';
import { currentOwner, SandboxLabels } from '../../../src/sandbox/sandbox.labels';
import { loadImageCatalog, repositoryManifestPath } from '../../../src/sandbox/image-catalog';
import { exitedContainer } from '../../../src/sandbox/inner-engine';
import { COURSE_TAGS, driverForFile, leftovers, makeDriver } from './sandbox-fixture';

const hostDocker = new Docker();

jest.setTimeout(240_000);

describe('sandbox driver (real Docker)', () => {
  const driver = driverForFile();

  it('starts a sandbox with every course image and replays the course basics', async () => {
    const sandbox = await driver.acquire();
    try {
      const digests = await sandbox.imageDigests();
      for (const tag of COURSE_TAGS) expect(digests[tag]).toMatch(/^sha256:/);
      const labels = await sandbox.exec(
        'docker image inspect -f \'{{index .Config.Labels "org.dockgrader.stand-in"}}\' nginx',
        { timeoutMs: 10_000 },
      );
      expect(labels.output.trim()).toBe('true');

      const hello = await sandbox.exec('docker run hello-world', { timeoutMs: 30_000 });
      expect(hello.exitCode).toBe(0);
      expect(hello.output).toContain('Hello from Docker!');

      // Postgres: refuses without a password (official message), runs with one.
      const refused = await sandbox.exec('docker run --name pg1 postgres', { timeoutMs: 30_000 });
      expect(refused.exitCode).toBe(1);
      expect(refused.output).toContain('Error: Database is uninitialized and superuser password is not specified.');
      // The temporary server of the init phase also logs "ready": wait for the final server.
      const started = await sandbox.exec(
        [
          'docker run -d --name pg2 -e POSTGRES_PASSWORD=secret postgres >/dev/null',
          "for i in $(seq 120); do docker logs pg2 2>&1 | sed -n '/init process complete/,$p' | grep -q 'ready to accept connections' && break; sleep 0.5; done",
          'docker logs pg2 2>&1 | tail -1',
          "docker exec pg2 psql -U postgres -tAc 'select 40 + 2'",
        ].join('; '),
        { timeoutMs: 90_000 },
      );
      expect(started.output).toMatch(/database system is ready to accept connections\n42\n$/);

      // Published ports on the sandbox's loopback, name resolution on a user network, redis-cli.
      const web = await sandbox.exec(
        'docker run -d -p 8081:80 --name web nginx >/dev/null && for i in $(seq 40); do curl -s 127.0.0.1:8081 && break; sleep 0.25; done',
        { timeoutMs: 30_000 },
      );
      expect(web.output).toContain('Welcome to nginx!');
      const net = await sandbox.exec(
        'docker network create my_bridge >/dev/null && docker run -d --network my_bridge --name cont2 redis >/dev/null && docker run --rm --network my_bridge alpine ping -c 1 cont2',
        { timeoutMs: 30_000 },
      );
      expect(net.exitCode).toBe(0);
      const redis = await sandbox.exec(
        'sleep 1; docker exec cont2 redis-cli set cle 42; docker exec cont2 redis-cli get cle',
        { timeoutMs: 30_000 },
      );
      expect(redis.output).toBe('OK\n42\n');
      const mongo = await sandbox.exec('docker run -d --name mongo mongo >/dev/null; sleep 1; docker logs mongo', {
        timeoutMs: 30_000,
      });
      expect(mongo.output).toContain('Waiting for connections');
    } finally {
      await driver.release(sandbox);
    }
  });

  it('feeds stdin, places files in the working directory, supports a TTY, caps output and times out', async () => {
    const sandbox = await driver.acquire();
    try {
      await sandbox.putFiles([{ path: 'app/Dockerfile', content: 'FROM alpine\nCMD ["echo", "built here"]\n' }]);
      await expect(sandbox.putFiles([{ path: '../escape', content: 'x' }])).rejects.toThrow(/outside/);
      const build = await sandbox.exec(
        'cd app && docker build -q -t mine . >/dev/null && docker run --rm mine && pwd',
        { timeoutMs: 60_000 },
      );
      expect(build.output).toBe('built here\n/work/app\n');
      const stdin = await sandbox.exec('docker run -i alpine sh -c "tr a-z A-Z"', {
        timeoutMs: 30_000,
        stdin: 'salut\n',
      });
      expect(stdin.output).toBe('SALUT\n');
      const tty = await sandbox.exec('tty', { timeoutMs: 10_000, tty: true });
      expect(tty.output).toMatch(/\/dev\/pts\//);
      const flood = await sandbox.exec('yes', { timeoutMs: 30_000, maxOutputBytes: 1000 });
      expect(flood).toMatchObject({ exitCode: null, truncated: true, stoppedBy: 'output-limit' });
      expect(flood.output.length).toBe(1000);
      const endless = await sandbox.exec('docker run alpine sleep 1000', { timeoutMs: 3000 });
      expect(endless).toMatchObject({ exitCode: null, stoppedBy: 'timeout' });
      const background = await sandbox.exec('sleep 1000 & echo started', { timeoutMs: 30_000 });
      expect(background).toMatchObject({ exitCode: 0, output: 'started\n' });
      expect(await sandbox.health()).toBeUndefined();
      expect((await sandbox.exec('docker ps -q | wc -l', { timeoutMs: 10_000 })).output.trim()).toBe('1');
    } finally {
      await driver.release(sandbox);
    }
  });

  it('runs a command in an inner container for grading and kills it when it outlives its timeout', async () => {
    const sandbox = await driver.acquire();
    try {
      const started = await sandbox.exec('docker run -d --name box alpine sleep 600', { timeoutMs: 30_000 });
      expect(started.exitCode).toBe(0);
      const answered = await sandbox.engine.execInContainer('box', ['sh', '-c', 'echo $((40 + 2))'], {
        timeoutMs: 10_000,
        maxOutputBytes: 1024,
      });
      expect(answered).toEqual({ kind: 'exited', code: 0, output: '42\n' });

      const hung = await sandbox.engine.execInContainer('box', ['sh', '-c', 'echo start; exec sleep 517'], {
        timeoutMs: 1000,
        maxOutputBytes: 1024,
      });
      expect(hung).toEqual({ kind: 'timeout', output: 'start\n' });
      // The probe's process is gone from the student's container, not left running.
      const top = await sandbox.exec('docker exec box ps -o args', { timeoutMs: 10_000 });
      expect(top.output).toContain('sleep 600');
      expect(top.output).not.toContain('sleep 517');

      const missing = await sandbox.engine.execInContainer('nope', ['true'], { timeoutMs: 5000, maxOutputBytes: 1024 });
      expect(missing).toEqual({
        kind: 'unavailable',
        status: 404,
        message: expect.stringMatching(/No such container/i),
      });
    } finally {
      await driver.release(sandbox);
    }
  });

  it('stops a sandbox at the end of its lifetime and says so', async () => {
    const sandbox = await driver.acquire({ limits: { lifetimeMs: 3000 } });
    try {
      const endless = await sandbox.exec('sleep 60', { timeoutMs: 30_000 });
      expect(endless).toMatchObject({ exitCode: null, stoppedBy: 'lifetime' });
      expect(await sandbox.health()).toBe('lifetime');
      expect(await sandbox.exec('echo late', { timeoutMs: 5000 })).toMatchObject({
        exitCode: null,
        stoppedBy: 'lifetime',
      });
    } finally {
      await driver.release(sandbox);
    }
  });

  it('destroys everything it created, and release is idempotent', async () => {
    const sandbox = (await driver.acquire()) as DockerSandbox;
    await sandbox.exec('docker run -d --name busy alpine sleep 600 && docker volume create v1', { timeoutMs: 30_000 });
    await driver.release(sandbox);
    await driver.release(sandbox);
    expect(await leftovers(driver, sandbox.id, sandbox.paths.dir)).toEqual({ containers: 0, networks: 0, dir: false });
    expect(await sandbox.health()).toBe('destroyed');
  });

  it('never alters the golden store or another sandbox', async () => {
    const before = await driver.golden.currentDigest();
    expect(before).toBe(await driver.golden.recordedDigest());
    const a = await driver.acquire();
    const b = await driver.acquire();
    try {
      const vandal = await a.exec(
        [
          'docker run --name vandal alpine sh -c "echo changed > /etc/hostname; rm -rf /bin/ls; echo x > /bin/busybox"',
          'docker commit vandal alpine:latest',
          'docker rmi -f hello-world nginx:latest',
          'docker system prune -a -f --volumes',
        ].join('; '),
        { timeoutMs: 120_000 },
      );
      expect(vandal.output).toContain('Total reclaimed space');
      expect(Object.keys(await a.imageDigests())).not.toContain('nginx:latest');
      // B still has everything, untouched.
      const bDigests = await b.imageDigests();
      for (const tag of ['hello-world:latest', 'nginx:latest', 'alpine:latest']) expect(bDigests[tag]).toBeDefined();
      const ls = await b.exec('docker run --rm alpine sh -c "ls /bin/ls && cat /etc/hostname | wc -c"', {
        timeoutMs: 30_000,
      });
      expect(ls.exitCode).toBe(0);
      expect(ls.output).toContain('/bin/ls');
      expect((await b.exec('docker ps -a -q | wc -l', { timeoutMs: 10_000 })).output.trim()).toBe('0');
    } finally {
      await driver.release(a);
      await driver.release(b);
    }
    expect(await driver.golden.currentDigest()).toBe(before);
  });

  it('serves acquires from the warm pool, warming at the lowest CPU weight', async () => {
    const pooled = makeDriver({ poolSize: 1 });
    try {
      await pooled.init();
      await pooled.pool.waitUntilWarm(1);
      expect(pooled.pool.available).toBe(1);
      const [warm] = await hostDocker.listContainers({
        filters: { label: [`${SandboxLabels.owner}=${currentOwner()}`] },
      });
      const shares = async (id: string) => (await hostDocker.getContainer(id).inspect()).HostConfig.CpuShares;
      expect(await shares(warm.Id)).toBe(BACKGROUND_CPU_SHARES);
      const sandbox = await pooled.acquire();
      expect((sandbox as DockerSandbox).container.id).toBe(warm.Id);
      for (let i = 0; i < 100 && (await shares(warm.Id)) !== FOREGROUND_CPU_SHARES; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(await shares(warm.Id)).toBe(FOREGROUND_CPU_SHARES);
      // Taken: not replaced while a grading may be running (refillDelayMs), but as soon as it is released.
      expect(pooled.pool.available).toBe(0);
      expect((await sandbox.exec('docker run --rm busybox echo warm', { timeoutMs: 30_000 })).output).toBe('warm\n');
      await pooled.release(sandbox);
      await pooled.pool.waitUntilWarm(1, 60_000);
      expect(pooled.pool.available).toBe(1);
    } finally {
      await pooled.shutdown();
    }
  });

  it('reaps what a killed worker left behind', async () => {
    // A separate process acquires a sandbox and is killed with SIGKILL: no finally runs.
    const child = spawn(
      process.execPath,
      [join(__dirname, '../../../bench/run.cjs'), join(__dirname, 'fixtures/orphan-owner.ts')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', (code) => reject(new Error(`orphan owner exited early (${code})`)));
    });
    const { id, dir } = JSON.parse(line) as { id: string; dir: string };
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect((await leftovers(driver, id, dir)).containers).toBe(1);
    // The dead owner's sandbox goes at once, its directory with its container.
    await driver.reaper.sweep();
    expect(await leftovers(driver, id, dir)).toEqual({ containers: 0, networks: 0, dir: false });
    // A directory with no container is left alone while young (a sandbox may be in creation)…
    const stray = join(dirname(dir), `stray${randomBytes(3).toString('hex')}`);
    await mkdir(join(stray, 'work'), { recursive: true });
    await driver.reaper.sweep();
    await expect(stat(stray)).resolves.toBeDefined();
    // …and removed once older than the grace.
    const past = new Date(Date.now() - 10 * 60_000);
    await utimes(stray, past, past);
    await driver.reaper.sweep();
    await expect(stat(stray)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('says how a sandbox container that stopped during its start ended', async () => {
    const container = await hostDocker.createContainer({
      Image: loadImageCatalog(repositoryManifestPath).sandbox.tag,
      Entrypoint: ['sh', '-c', 'echo "dockerd: failed to start" >&2; exit 3'],
      Labels: { [SandboxLabels.owner]: currentOwner() },
    });
    try {
      await container.start();
      await container.wait();
      expect(await exitedContainer(container)).toMatch(/^exit code 3: .*dockerd: failed to start/s);
    } finally {
      await container.remove({ force: true });
    }
    expect(await exitedContainer(container)).toMatch(/^container gone/);
  });

  it('before an exec, waits until a server started moments ago listens on its exposed port', async () => {
    const sandbox = await driver.acquire();
    try {
      const started = await sandbox.exec(
        "docker run -d --name lent --expose 6000 busybox sh -c 'sleep 2; nc -l -p 6000'",
        { timeoutMs: 30_000 },
      );
      expect(started.exitCode).toBe(0);
      await sandbox.awaitService('lent', 10_000);
      // Two seconds after its start at the earliest: without the wait the exec would find nothing listening.
      const tables = await sandbox.exec('docker exec lent cat /proc/net/tcp /proc/net/tcp6', { timeoutMs: 10_000 });
      expect([...listeningPorts(tables.output)]).toContain(6000);
      // Nothing to wait for: a container exposing no port, a name that is no container.
      expect((await sandbox.exec('docker run -d --name muet busybox sleep 60', { timeoutMs: 30_000 })).exitCode).toBe(
        0,
      );
      await expect(sandbox.awaitService('muet', 10_000)).resolves.toBeUndefined();
      await expect(sandbox.awaitService('inconnu', 10_000)).resolves.toBeUndefined();
    } finally {
      await driver.release(sandbox);
    }
  });
});
