import { join } from 'node:path';
import { loadExercise } from '../../../src/exercises/exercise.loader';
import { gradeSubmission, type GradeReport } from '../../../src/grading/grade-submission';
import { driverForFile } from '../sandbox/sandbox-fixture';

/**
 * What the replay does with lines the course's exercises rarely reach, graded in real sandboxes:
 * terminal lines whose program shows no prompt we know or never waits for input, commands that
 * ignore Ctrl-C, each command's two output streams, and shell forms the policy lets through. Only
 * the transcript and the notices are looked at (the exercise is a carrier: hello-world).
 */

jest.setTimeout(300_000);

const HELLO_WORLD = join(__dirname, '..', '..', '..', 'exercises', 'hello-world');
const driver = driverForFile();

/** Grades `lines` with each command limited to `timeoutSeconds`. */
async function replay(lines: string[], timeoutSeconds = 30): Promise<GradeReport> {
  const exercise = await loadExercise(HELLO_WORLD);
  const sandbox = { ...exercise.definition.sandbox, commandTimeoutSeconds: timeoutSeconds };
  const report = await gradeSubmission(
    driver,
    { ...exercise, definition: { ...exercise.definition, sandbox } },
    { source: lines.join('\n') },
  );
  expect(report.status).toBe('graded');
  return report;
}

/** The notice about line `line`, which must exist. */
function noticeOf(report: GradeReport, line: number): string {
  const notice = report.notices.find((n) => n.startsWith(`Ligne ${line} `));
  expect(notice).toBeDefined();
  return notice!;
}

describe('terminal lines (-it, attach)', () => {
  it('docker attach: the lines typed run inside the container, then the replay goes on', async () => {
    const r = await replay([
      'docker run -dit --name box alpine sh',
      'docker attach box',
      '<<< touch /tmp/attached',
      '<<< exit',
      'docker diff box',
      "docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' box",
    ]);
    expect(r.transcript[1]).toMatchObject({ text: 'docker attach box', tty: true, exitCode: 0 });
    expect(r.transcript[2]).toMatchObject({ exitCode: 0, output: expect.stringMatching(/^A \/tmp\/attached$/m) });
    // `exit` typed in the attached shell ended the container's main process.
    expect(r.transcript[3]).toMatchObject({ exitCode: 0, output: 'exited 0\n' });
  });

  it('a prompt the terminal does not know ("Votre nom : "): each line is typed once the program is quiet', async () => {
    // A timeout under the longest wait for a prompt (10 s): only the quiet fallback types in time.
    const r = await replay(
      [
        'docker run -dit --name box alpine sh',
        `docker exec -it box sh -c 'read -p "Votre nom : " n; read -p "Votre ville : " v; echo "$n habite $v" > /fiche'`,
        '<<< Alice',
        '<<< Lyon',
        'docker exec box cat /fiche',
      ],
      8,
    );
    expect(r.transcript[1]).toMatchObject({
      tty: true,
      exitCode: 0,
      output: expect.stringContaining('Votre ville : '),
    });
    expect(r.transcript[2]).toMatchObject({ exitCode: 0, output: 'Alice habite Lyon\n' });
    expect(r.notices).toEqual([]);
  });

  it('a program silent while it starts gets its first line once it shows up, not into the void', async () => {
    // redis-cli turns raw mode on when it starts, dropping what was typed before: the line must
    // wait for its prompt even though the terminal was quiet for longer than the quiet delay.
    const r = await replay([
      'docker run -d --name redis redis',
      "docker exec -it redis sh -c 'sleep 1; exec redis-cli'",
      '<<< set cle 42',
      'docker exec redis redis-cli get cle',
    ]);
    expect(r.transcript[1]).toMatchObject({ tty: true, exitCode: 0 });
    expect(r.transcript[2]).toMatchObject({ exitCode: 0, output: '42\n' });
  });

  // The line goes in at the longest wait for a prompt (10 s), or earlier if a loaded machine lets
  // the output pause for the quiet delay: either way it is typed, never lost, the replay not stuck.
  it('a program that keeps printing and never prompts still gets its line', async () => {
    const r = await replay([
      'docker run -dit --name box alpine sh',
      `docker exec -it box sh -c 'while :; do echo tic; sleep 0.05; done & read n; kill $!; echo "reçu $n" > /recu'`,
      '<<< Alice',
      'docker exec box cat /recu',
    ]);
    expect(r.transcript[1]).toMatchObject({ tty: true, exitCode: 0, output: expect.stringContaining('tic\n') });
    expect(r.transcript[2]).toMatchObject({ exitCode: 0, output: 'reçu Alice\n' });
  });

  it('at the timeout a terminal program gets Ctrl-C, and is killed if it ignores it; the shell goes on', async () => {
    const r = await replay(
      [
        'GARDE=oui',
        'docker run -dit --name box alpine sh',
        "docker exec -it box sh -c 'while :; do echo tic; sleep 0.1; done'",
        '<<< jamais lu',
        `docker exec -it box sh -c "trap '' INT; while :; do echo tac; sleep 0.1; done"`,
        'echo "$GARDE"',
        'docker exec box ps -o args',
      ],
      3,
    );
    expect(r.transcript[2]).toMatchObject({ tty: true, exitCode: null, stoppedBy: 'timeout', stoppedWith: 'ctrl-c' });
    expect(r.transcript[2].output).not.toContain('jamais lu');
    expect(r.transcript[3]).toMatchObject({ tty: true, exitCode: null, stoppedBy: 'timeout', stoppedWith: 'kill' });
    expect(r.transcript[4]).toMatchObject({ exitCode: 0, output: 'oui\n' });
    // Ctrl-C ended the first loop inside the container; the second ignored it (only its docker client was killed).
    expect(r.transcript[5].exitCode).toBe(0);
    expect(r.transcript[5].output).not.toContain('echo tic');
    expect(r.transcript[5].output).toContain('echo tac');
    expect(noticeOf(r, 3)).toMatch(/interrompue : délai dépassé \(après \d+ s\) ; arrêtée par Ctrl-C/);
    expect(noticeOf(r, 5)).toMatch(/interrompue : délai dépassé \(après \d+ s\) ; Ctrl-C ne l'a pas arrêtée/);
  });
});

describe('shell lines', () => {
  it('a command that ignores Ctrl-C is killed; the shell keeps its directory and variables; the grade says so', async () => {
    const r = await replay(
      [
        'mkdir -p tenace && cd tenace && GARDE=oui',
        `sh -c "trap '' INT; sleep 100"`,
        'echo "$GARDE $PWD"',
        // docker forwards the SIGINT to the container, which ignores it: the client is killed, the container runs on.
        `docker run --name tetu alpine sh -c "trap '' INT; sleep 100"`,
        "docker inspect -f '{{.State.Status}}' tetu",
        'echo "$GARDE $PWD"',
      ],
      3,
    );
    expect(r.transcript[1]).toMatchObject({ exitCode: null, stoppedBy: 'timeout', stoppedWith: 'kill' });
    expect(r.transcript[1].shellEnded).toBeUndefined();
    expect(r.transcript[2]).toMatchObject({ exitCode: 0, output: 'oui /work/tenace\n' });
    expect(r.transcript[3]).toMatchObject({ exitCode: null, stoppedBy: 'timeout', stoppedWith: 'kill' });
    expect(r.transcript[4]).toMatchObject({ exitCode: 0, output: 'running\n' });
    expect(r.transcript[5]).toMatchObject({ exitCode: 0, output: 'oui /work/tenace\n' });
    expect(noticeOf(r, 2)).toMatch(
      /interrompue : délai dépassé \(après \d+ s\) ; Ctrl-C ne l'a pas arrêtée \(signal ignoré\) : elle a été tuée \(SIGKILL\)$/,
    );
    expect(noticeOf(r, 4)).toMatch(/Ctrl-C ne l'a pas arrêtée/);
    expect(r.notices.join('\n')).not.toMatch(/nouveau terminal/);
  });

  it("keeps each command's stdout and stderr apart, with its exit code; a terminal line has one screen", async () => {
    const r = await replay([
      'echo sortie; echo erreur >&2',
      'docker inspect absent',
      'docker run --rm alpine ls /absent',
      `docker run --rm -it alpine sh -c 'echo écran; echo aussi >&2'`,
    ]);
    expect(r.transcript[0]).toMatchObject({ exitCode: 0, output: 'sortie\n', stderr: 'erreur\n' });
    expect(r.transcript[1]).toMatchObject({
      exitCode: 1,
      output: '[]\n',
      stderr: expect.stringMatching(/No such object: absent/),
    });
    expect(r.transcript[2]).toMatchObject({ exitCode: 1, output: '', stderr: expect.stringMatching(/No such file/) });
    expect(r.transcript[3]).toMatchObject({ tty: true, exitCode: 0, output: 'écran\naussi\n' });
    expect(r.transcript[3].stderr).toBeUndefined();
  });

  it('||, backticks, a here-string, rm, clear and history run as in a terminal', async () => {
    const r = await replay([
      'false || docker run -d --name cible alpine sleep 60',
      "docker exec -i cible sh <<< 'touch /y'",
      'echo brouillon > notes.txt && rm notes.txt',
      'clear',
      'history',
      'docker stop -t 1 `docker ps -q -f name=cible`',
      'docker diff cible',
      "docker inspect -f '{{.State.Status}}' cible",
      'ls',
    ]);
    expect(r.transcript.filter((e) => e.refused || e.exitCode !== 0)).toEqual([]);
    expect(r.transcript[3]).toMatchObject({ output: '', stderr: '' });
    expect(r.transcript[5].output).toMatch(/^[0-9a-f]{12}\n$/);
    expect(r.transcript[6].output).toMatch(/^A \/y$/m);
    expect(r.transcript[7].output).toBe('exited\n');
    expect(r.transcript[8].output).toBe('');
    expect(r.notices).toEqual([]);
  });
});
