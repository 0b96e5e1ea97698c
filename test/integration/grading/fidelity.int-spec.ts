import { join } from 'node:path';
import { loadExercise } from '../../../src/exercises/exercise.loader';
import { gradeSubmission, type GradeReport } from '../../../src/grading/grade-submission';
import { driverForFile } from '../sandbox/sandbox-fixture';

/**
 * Submissions written the way students of the course write them, graded on the real catalogue in
 * real sandboxes: correct work gets full marks whatever the terminal or shell habits around it.
 */

jest.setTimeout(300_000);

const EXERCISES = join(__dirname, '..', '..', '..', 'exercises');
const driver = driverForFile();

async function grade(slug: string, source: string): Promise<GradeReport> {
  const exercise = await loadExercise(join(EXERCISES, slug));
  const report = await gradeSubmission(driver, exercise, { source });
  expect(report.status).toBe('graded');
  return report;
}

function failed(report: GradeReport): string[] {
  return report.checks.filter((c) => !c.passed).map((c) => `${c.id}: ${c.detail ?? c.message}`);
}

describe('grading what students type (real sandboxes)', () => {
  it('sudo docker run hello-world: full marks, with a notice about sudo', async () => {
    const r = await grade(
      'hello-world',
      'sudo docker run hello-world\nsudo docker container ls -a\nsudo docker images\nsudo docker run hello-world\nsudo docker container ls -a\n',
    );
    expect(failed(r)).toEqual([]);
    expect(r.score).toBe(r.maxScore);
    expect(r.notices.join('\n')).toMatch(/sudo.*exécutée sans sudo/);
  });

  it('a Dockerfile written with a here-document: full marks', async () => {
    const r = await grade(
      'dockerfile-entrypoint',
      [
        "cat > Dockerfile <<'FIN'",
        'FROM alpine',
        'LABEL auteur="etudiant"',
        'WORKDIR /app',
        'ENTRYPOINT ["echo", "Bonjour"]',
        'CMD ["le monde"]',
        'FIN',
        'docker build -t bonjour .',
        'docker image inspect bonjour',
        'docker run --name essai1 bonjour',
        'docker run --name essai2 bonjour Docker',
      ].join('\n'),
    );
    expect(failed(r)).toEqual([]);
    expect(r.transcript[0].exitCode).toBe(0);
  });

  it('ID=$(docker ps -q …) then docker exec $ID …: full marks (variables persist)', async () => {
    const r = await grade(
      'redis-exec',
      [
        'docker run -d --name redis redis',
        'ID=$(docker ps -q --filter name=redis)',
        'docker exec -it $ID redis-cli',
        '<<< set cle 42',
        '<<< get cle',
        'docker exec $ID redis-cli get cle',
      ].join('\n'),
    );
    expect(failed(r)).toEqual([]);
    expect(r.transcript[3].output.trim()).toBe('42');
  });

  it('a Git Bash session with winpty docker exec -it redis redis-cli: full marks', async () => {
    const r = await grade(
      'redis-exec',
      [
        '\x1b[32mjean@PC-JEAN \x1b[35mMINGW64 \x1b[33m~/cours-docker\x1b[36m (main)\x1b[0m',
        '$ docker run -d --name redis redis',
        '5e7f0c2d9a1b',
        '',
        'jean@PC-JEAN MINGW64 ~/cours-docker (main)',
        '$ winpty docker exec -it redis redis-cli',
        '127.0.0.1:6379> set cle 42',
        'OK',
        '127.0.0.1:6379> get cle',
        '"42"',
        '127.0.0.1:6379> exit',
        '',
        'jean@PC-JEAN MINGW64 ~/cours-docker (main)',
        '$ docker exec redis redis-cli get cle',
        '"42"',
      ].join('\r\n'),
    );
    expect(failed(r)).toEqual([]);
    expect(r.transcript[1]).toMatchObject({ tty: true, exitCode: 0 });
    expect(r.transcript[1].output).toContain('"42"');
  });

  it("docker run -it ubuntu bash, lines typed at bash's prompt: full marks; ls's error is stderr and still counts", async () => {
    const r = await grade(
      'ephemeral-container',
      [
        'docker run -it --name essai1 ubuntu bash',
        '<<< cd / && echo test > test.txt',
        '<<< ls /test.txt && echo "bash $BASH_VERSION"',
        '<<< exit',
        'docker diff essai1',
        'docker rm essai1',
        'docker run -dit --name essai2 ubuntu',
        'docker exec essai2 ls /test.txt',
      ].join('\n'),
    );
    expect(failed(r)).toEqual([]);
    expect(r.transcript[0]).toMatchObject({ tty: true, exitCode: 0 });
    // bash's own prompt, and a variable only bash sets, expanded inside the container.
    expect(r.transcript[0].output).toMatch(/root@[0-9a-f]+:\/# /);
    expect(r.transcript[0].output).toMatch(/^bash 5\./m);
    expect(r.transcript[4]).toMatchObject({
      exitCode: 2,
      output: '',
      stderr: expect.stringMatching(/No such file or directory/),
    });
  });

  it('docker attach to a container started in the background: what is typed runs in it, full marks', async () => {
    const r = await grade(
      'create-start-attach',
      [
        'docker container create --name alpine1 -it alpine',
        'docker container start -ai alpine1',
        '<<< echo retour > /root/retour.txt',
        '<<< exit',
        'docker container start alpine1',
        'docker attach alpine1',
        '<<< ls /root',
        '<<< exit',
        'docker container create --name alpine2 alpine',
        'docker container start -ai alpine2',
      ].join('\n'),
    );
    expect(failed(r)).toEqual([]);
    expect(r.transcript[3]).toMatchObject({ text: 'docker attach alpine1', tty: true, exitCode: 0 });
    expect(r.transcript[3].output).toMatch(/^retour\.txt\s*$/m);
  });

  it('a loop over docker output, a function and a background job with wait', async () => {
    const r = await grade(
      'three-databases',
      [
        'for db in mongo redis; do docker run -d --name $db $db; done',
        'docker run -d --name postgres postgres &',
        'wait',
        'docker container ls -a',
        'docker logs postgres',
        'docker container prune',
        '<<< y',
        'lance() { docker container run --name postgres -d -e POSTGRES_HOST_AUTH_METHOD=trust postgres; }',
        'lance',
        'docker container ls',
        'for id in $(docker container ls -aq); do docker container stop $id; done',
        'docker system prune -a',
        '<<< y',
      ].join('\n'),
    );
    expect(failed(r)).toEqual([]);
  });
});
