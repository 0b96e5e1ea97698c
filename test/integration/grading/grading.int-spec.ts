import Docker from 'dockerode';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from '../../../src/config/env';
import { loadExercise, type LoadedExercise } from '../../../src/exercises/exercise.loader';
import { gradeSubmission } from '../../../src/grading/grade-submission';
import { loadImageCatalog, repositoryManifestPath } from '../../../src/sandbox/image-catalog';
import { sandboxConfigFromEnv, type SandboxConfig } from '../../../src/sandbox/sandbox.config';
import { currentOwner, SandboxLabels } from '../../../src/sandbox/sandbox.labels';
import { DockerSandboxDriver } from '../../../src/sandbox/sandbox.driver';
import { eventually } from '../../support/processes';

/** The grading engine end to end, in real sandboxes, on a hand-written exercise (test/fixtures). */

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'exercises', 'ok', 'fixture-web');

function makeDriver(overrides: Partial<SandboxConfig> = {}, sandboxTag?: string): DockerSandboxDriver {
  const config = { ...sandboxConfigFromEnv(loadEnv({ ...process.env })), poolSize: 0, ...overrides };
  const catalog = loadImageCatalog(repositoryManifestPath);
  const used = sandboxTag ? { ...catalog, sandbox: { ...catalog.sandbox, tag: sandboxTag } } : catalog;
  return new DockerSandboxDriver(new Docker(), config, used, () => undefined);
}

let exercise: LoadedExercise;
let driver: DockerSandboxDriver;

beforeAll(async () => {
  exercise = await loadExercise(FIXTURE);
  driver = makeDriver();
  await driver.golden.ensure();
});

afterAll(async () => {
  await driver.shutdown();
});

const files = () => exercise.reference.files;

describe('grading a submission in a real sandbox', () => {
  it('gives full marks to the reference solution, with version, digests, transcript and live progress', async () => {
    const progress: string[] = [];
    const report = await gradeSubmission(
      driver,
      exercise,
      { source: exercise.reference.source, files: files() },
      {
        onProgress: (i, n, c) => progress.push(`${i}/${n} ${c.text.split(' ')[1]}`),
      },
    );
    expect(report.status).toBe('graded');
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.score).toBe(10);
    expect(report.maxScore).toBe(10);
    expect(report.exerciseVersion).toBe(exercise.version);
    expect(report.imageDigests['alpine:latest']).toMatch(/^sha256:/);
    expect(progress).toEqual(['1/4 run', '2/4 run', '3/4 exec', '4/4 ps']);
    expect(report.transcript.map((e) => e.exitCode)).toEqual([1, 0, 0, 0]);
    expect(report.transcript[3].output).toContain('0.0.0.0:8081->80/tcp');
    expect(report.notices).toEqual([]);
  });

  it('gives partial credit to a wrong solution (a pasted session without -p)', async () => {
    const wrong = exercise.wrong.find((w) => w.file.endsWith('wrong-no-port.sh'))!;
    const report = await gradeSubmission(driver, exercise, { source: wrong.source, files: wrong.files });
    expect(report.status).toBe('graded');
    expect(Object.fromEntries(report.checks.map((c) => [c.id, c.passed]))).toEqual({
      'web-running': false,
      'page-served': false,
      'note-written': true,
      'failed-then-fixed': true,
      listed: true,
    });
    expect(report.score).toBe(5);
    expect(report.checks.find((c) => c.id === 'page-served')!.message).toMatch(/n'est pas servie/);
    // Why the page probe got nothing, in French: curl's own message is English.
    expect(report.checks.find((c) => c.id === 'page-served')!.detail).toBe(
      "erreur de la sonde : connexion refusée : rien n'écoute sur localhost:8081",
    );
  });

  it("scores the fixture's pasted-session reference and other wrong solutions as their files say", async () => {
    const others = [...exercise.variants, ...exercise.wrong.filter((w) => !w.file.endsWith('wrong-no-port.sh'))];
    expect(others.map((s) => s.file)).toEqual([
      'solutions/reference-session.txt',
      'solutions/wrong-no-exec.sh',
      'solutions/wrong-note-sur-l-hote.sh',
    ]);
    for (const s of others) {
      const report = await gradeSubmission(driver, exercise, { source: s.source, files: s.files });
      expect({ file: s.file, status: report.status, score: report.score }).toEqual({
        file: s.file,
        status: 'graded',
        score: s.expectedScore,
      });
    }
  });

  it('says in French why a probe could not run: no such container, a container not running', async () => {
    const [absent, stopped] = await Promise.all([
      gradeSubmission(driver, exercise, { source: 'docker run --name essai alpine false', files: files() }),
      gradeSubmission(driver, exercise, { source: 'docker create --name web alpine', files: files() }),
    ]);
    const detail = (r: typeof absent, id: string) => r.checks.find((c) => c.id === id)!.detail;
    expect(detail(absent, 'note-written')).toBe("erreur de la sonde : le conteneur « web » n'existe pas");
    expect(detail(stopped, 'note-written')).toBe("erreur de la sonde : le conteneur « web » n'est pas en marche");
    for (const r of [absent, stopped]) {
      expect(r.status).toBe('graded');
      expect(JSON.stringify(r.checks)).not.toMatch(/No such container|is not running|curl|Failed to connect/);
    }
  });

  it('reports a refused line as feedback without running it, and goes on', async () => {
    const source = `nano index.html\n${exercise.reference.source}`;
    const report = await gradeSubmission(driver, exercise, { source, files: files() });
    expect(report.status).toBe('graded');
    expect(report.transcript[0]).toMatchObject({
      text: 'nano index.html',
      exitCode: null,
      refused: expect.stringMatching(/éditeur plein écran.*here-document/),
    });
    expect(report.notices[0]).toMatch(/^Ligne 1 .* refusée, non exécutée/);
    expect(report.score).toBe(10);
  });

  it('stops a command at the exercise timeout, says so, and runs the next ones', async () => {
    const quick: LoadedExercise = {
      ...exercise,
      definition: { ...exercise.definition, sandbox: { ...exercise.definition.sandbox, commandTimeoutSeconds: 2 } },
    };
    const report = await gradeSubmission(driver, quick, { source: 'sleep 30\ndocker ps', files: [] });
    expect(report.status).toBe('graded');
    expect(report.transcript[0]).toMatchObject({ exitCode: null, stoppedBy: 'timeout' });
    expect(report.transcript[1].exitCode).toBe(0);
    expect(report.notices[0]).toMatch(/interrompue : délai dépassé/);
    // The hidden "listed" check (docker ps was typed) counts only once work was done: none was.
    expect(report.score).toBe(0);
  });

  it('says in French why the lines after a stopped sandbox did not run (never the raw stop code)', async () => {
    const shortLived = makeDriver({
      limits: { ...sandboxConfigFromEnv(loadEnv({ ...process.env })).limits, lifetimeMs: 4000 },
    });
    try {
      const report = await gradeSubmission(shortLived, exercise, {
        source: 'sleep 30\ndocker ps\ndocker images',
        files: [],
      });
      expect(report.status).toBe('graded');
      expect(report.transcript[0]).toMatchObject({ exitCode: null, stoppedBy: 'lifetime' });
      const skipped = report.transcript.slice(1).map((e) => e.skipped);
      expect(skipped).toEqual([
        "le bac à sable s'était arrêté (durée maximale du bac à sable atteinte)",
        "le bac à sable s'était arrêté (durée maximale du bac à sable atteinte)",
      ]);
      expect(report.notices.join('\n')).not.toMatch(/\blifetime\b/);
      expect(report.notices).toContain(
        "Le bac à sable s'est arrêté (durée maximale du bac à sable atteinte) : les commandes suivantes n'ont pas été exécutées et les vérifications finales portent sur l'état atteint.",
      );
    } finally {
      await shortLived.shutdown();
    }
  });

  it('rejects an unreadable submission without a sandbox, naming the line', async () => {
    const report = await gradeSubmission(driver, exercise, { source: 'docker ps\ndocker run \\' });
    expect(report).toMatchObject({ status: 'graded', score: 0, rejected: expect.stringMatching(/^ligne 2 : /) });
    expect(
      report.checks.every(
        (c) => !c.passed && c.message === exercise.definition.checks.find((d) => d.id === c.id)!.feedback.fail,
      ),
    ).toBe(true);
  });
});

describe('destroying the sandbox', () => {
  // This process's sandboxes (the suite's driver keeps no warm pool).
  const mine = async () =>
    (await new Docker().listContainers({ all: true, filters: { label: [`${SandboxLabels.owner}=${currentOwner()}`] } }))
      .length;
  const submission = { source: 'docker ps', files: [] };

  it('happens before the report is returned, by default (the CLI)', async () => {
    expect(await mine()).toBe(0);
    const report = await gradeSubmission(driver, exercise, submission);
    expect(report.status).toBe('graded');
    expect(await mine()).toBe(0);
  });

  it('waits for releaseAfter when given (the worker, until the result is stored)', async () => {
    let storeResult!: () => void;
    const report = await gradeSubmission(driver, exercise, submission, {
      releaseAfter: new Promise<void>((resolve) => (storeResult = resolve)),
    });
    expect(report.status).toBe('graded');
    await new Promise((r) => setTimeout(r, 500));
    expect(await mine()).toBe(1);
    storeResult();
    await expect(eventually(async () => expect(await mine()).toBe(0))).resolves.toBeUndefined();
  });
});

describe('an infrastructure failure', () => {
  it('an inner engine that shuts down mid-replay (its host engine stopping) gives status error, not the zero its refused commands would earn', async () => {
    // What a host engine's SIGTERM does to a sandbox: the sandbox's init forwards the signal to its
    // dockerd, which closes its socket at once but takes seconds to stop its containers (a
    // `sleep` ignores SIGTERM: 10 s), answering meanwhile on the connections already open while the
    // host engine still reports the sandbox running. Here the signal comes from the sandbox's root
    // during the second line, so the next lines meet an engine that refuses them.
    const helloWorld = await loadExercise(join(__dirname, '..', '..', '..', 'exercises', 'hello-world'));
    const host = new Docker();
    let signalled: Promise<string> | undefined;
    const report = await gradeSubmission(
      driver,
      helloWorld,
      {
        source: ['docker run -d busybox sleep 600', 'sleep 3', 'docker run hello-world', 'docker container ls -a'].join(
          '\n',
        ),
      },
      {
        onProgress: (i) => {
          if (i !== 2) return;
          signalled = (async () => {
            const [sandbox] = await host.listContainers({
              filters: { label: [`${SandboxLabels.owner}=${currentOwner()}`] },
            });
            const exec = await host.getContainer(sandbox.Id).exec({
              Cmd: ['sh', '-c', 'kill -TERM "$(cat /run/docker.pid)"'],
              User: 'root',
              AttachStdout: true,
              AttachStderr: true,
            });
            const stream = await exec.start({});
            await new Promise((resolve) => stream.on('end', resolve).resume());
            return `kill exited ${(await exec.inspect()).ExitCode}`;
          })();
        },
      },
    );
    expect(await signalled).toBe('kill exited 0');
    expect({ status: report.status, score: report.score, transcript: report.transcript.map((e) => e.output) }).toEqual({
      status: 'error',
      score: 0,
      transcript: [],
    });
    expect(report.error).toMatch(/sandbox/);
  });

  it('gives status error, never a zero grade, and leaves nothing behind', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dg-grading-infra-'));
    const broken = makeDriver({ root }, 'dockgrader/absent-sandbox:missing');
    try {
      const report = await gradeSubmission(broken, exercise, { source: exercise.reference.source, files: files() });
      expect(report.status).toBe('error');
      expect(report.error).toMatch(/sandbox|image|golden/i);
      expect(report.error).not.toMatch(/^internal error/);
      expect(report.checks).toEqual([]);
      const left = await new Docker().listContainers({ all: true, filters: { label: [SandboxLabels.sandbox] } });
      expect(left.filter((c) => c.Image.includes('absent-sandbox'))).toEqual([]);
    } finally {
      await broken.shutdown();
      await rm(root, { recursive: true, force: true });
    }
  });
});
