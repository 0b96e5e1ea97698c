import { access, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadExercise, type LoadedExercise } from '../../src/exercises/exercise.loader';
import { gradeSubmission } from '../../src/grading/grade-submission';
import type { DockerSandboxDriver } from '../../src/sandbox/sandbox.driver';
import {
  expectHostSettingUnchanged,
  HARMLESS_SYSCTL,
  hostileCase,
  makeDriver,
  otherValue,
  reportedCase,
  run,
  statusOf,
} from './hostile-case';

/** Attached files and the replay's own machinery: names, links, and a line that rewrites what the replay keeps. */

const FIXTURE = join(__dirname, '..', 'fixtures', 'exercises', 'ok', 'fixture-web');

let driver: DockerSandboxDriver;
let exercise: LoadedExercise;
beforeAll(async () => {
  driver = makeDriver({ diskPollMs: 500 });
  exercise = await loadExercise(FIXTURE);
});
afterAll(async () => {
  await driver.shutdown();
});
const d = () => driver;

describe('attached files', () => {
  hostileCase('file names with ../, absolute paths and NUL', 'path check before any write', d, async (sandbox) => {
    for (const path of ['../escape', '/etc/escape', 'a/../../escape', '.', 'x\0y']) {
      await expect(sandbox.putFiles([{ path, content: 'x' }])).rejects.toThrow(/refusing file path/);
    }
    await expect(access(join(sandbox.paths.dir, 'escape'))).rejects.toThrow();
    return 'graded';
  });

  hostileCase(
    'a link planted in the working directory, then files placed through it',
    'no link followed on the host; exclusive create',
    d,
    async (sandbox) => {
      const hostDir = `/tmp/dockgrader-hostile-${sandbox.id}`;
      // The student's line plants links to host paths (meaningless inside, dangerous if the host followed them).
      const plant = await run(sandbox, `ln -s ${hostDir} dir; ln -s /etc/hostname file; ls -l | wc -l`);
      await expect(sandbox.putFiles([{ path: 'dir/created', content: 'x' }])).rejects.toThrow(/through a link/);
      await expect(sandbox.putFiles([{ path: 'file', content: 'x' }])).rejects.toThrow();
      await expect(access(hostDir)).rejects.toThrow();
      expect(await readFile('/etc/hostname', 'utf8')).not.toBe('x');
      await rm(hostDir, { recursive: true, force: true });
      return statusOf(plant);
    },
  );

  hostileCase(
    'files placed are the student’s to change, and nobody else’s',
    'owned by the sandbox user (mapped ids)',
    d,
    async (sandbox) => {
      await sandbox.putFiles([{ path: 'site/index.html', content: '<h1>ok</h1>' }]);
      const edit = await run(
        sandbox,
        'echo more >> site/index.html && rm site/index.html && rmdir site && echo edited',
      );
      expect(edit.output).toBe('edited\n');
      return statusOf(edit);
    },
  );
});

describe("the replay's own machinery", () => {
  reportedCase(
    'a line rewrites what the replay and the shell keep (state files, start-up files, the shell itself) to run an unchecked line',
    'unprivileged shell in a user namespace: the command policy is not the boundary',
    async () => {
      const value = await otherValue();
      const attack = `echo ${value} > ${HARMLESS_SYSCTL}`;
      let report: Awaited<ReturnType<typeof gradeSubmission>> | undefined;
      await expectHostSettingUnchanged(async () => {
        report = await gradeSubmission(driver, exercise, {
          source: [
            `mkdir -p /tmp/.dockgrader-shell && echo '${attack}' > /tmp/.dockgrader-shell/env`,
            `echo '${attack}' >> ~/.bashrc; echo '${attack}' >> ~/.profile`,
            // The persistent shell keeps functions: every later `docker` line runs the attack first.
            `docker() { ${attack}; command docker "$@"; }`,
            `trap '${attack}' DEBUG EXIT`,
            'docker ps',
          ].join('\n'),
          files: exercise.reference.files,
        });
      });
      expect(report!.status).toBe('graded');
      expect(report!.transcript.length).toBe(5);
      expect(report!.transcript[4].exitCode).toBe(0);
      return report!.status;
    },
  );

  reportedCase('a memory hog submitted for grading', 'memory limit; the grade says so in French', async () => {
    // One dd block fills memory at once: `head -c | tail` took 20 s to reach 1 GB, the line's whole timeout.
    const report = await gradeSubmission(driver, exercise, {
      source: 'docker run --rm alpine sh -c "dd if=/dev/zero of=/dev/null bs=4000M count=1"\ndocker ps',
      files: exercise.reference.files,
    });
    expect(report.status).toBe('graded');
    // The inner container is killed (137) or the line itself is stopped with a French notice.
    expect(report.transcript[0].exitCode === 137 || /mémoire/.test(report.notices.join('\n'))).toBe(true);
    expect(report.transcript[1].exitCode).toBe(0);
    return report.status;
  });
});
