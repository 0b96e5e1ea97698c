import type { DockerSandboxDriver } from '../../../src/sandbox/sandbox.driver';
import type { Sandbox, SandboxShell } from '../../../src/sandbox/sandbox.types';
import { makeDriver } from './sandbox-fixture';

jest.setTimeout(240_000);

/** The persistent shell of a replay and its terminal lines, in a real sandbox. */
describe('sandbox shell (real Docker)', () => {
  let driver: DockerSandboxDriver;
  let sandbox: Sandbox;
  let shell: SandboxShell;
  const t = { timeoutMs: 20_000 };

  beforeAll(async () => {
    driver = makeDriver();
    await driver.golden.ensure();
    sandbox = await driver.acquire();
    shell = await sandbox.openShell();
  });

  afterAll(async () => {
    await shell?.close();
    if (sandbox) await driver.release(sandbox);
    await driver.shutdown();
  });

  it('keeps cd, variables, functions and exports from one command to the next', async () => {
    expect((await shell.run('mkdir -p app && cd app && X=41', t)).exitCode).toBe(0);
    await shell.run('f() { echo "f:$1"; }; export E=exporté', t);
    const r = await shell.run('echo "$PWD $((X + 1)) $(f a)"; sh -c \'echo $E\'', t);
    expect(r).toMatchObject({ exitCode: 0, output: '/work/app 42 f:a\nexporté\n' });
    expect((await shell.run('cd /work', t)).exitCode).toBe(0);
  });

  it('gives each command its own stdin: the command stream is never read', async () => {
    const r = await shell.run('cat; echo fin', t);
    expect(r).toMatchObject({ exitCode: 0, output: 'fin\n' });
    const fed = await shell.run('cat', { ...t, stdin: 'a\nb\n' });
    expect(fed.output).toBe('a\nb\n');
    expect((await shell.run('echo suite', t)).output).toBe('suite\n');
  });

  it('keeps exit codes, stderr, output without a final newline, multi-line here-documents', async () => {
    expect(await shell.run('ls /absent', t)).toMatchObject({ exitCode: 2, output: '' });
    expect(await shell.run('printf sans-fin; echo err >&2; false', t)).toMatchObject({
      exitCode: 1,
      output: 'sans-fin',
      stderr: 'err\n',
    });
    const heredoc = await shell.run("cat > f.txt <<'FIN'\nligne $HOME\nFIN\ncat f.txt; rm f.txt", t);
    expect(heredoc).toMatchObject({ exitCode: 0, output: 'ligne $HOME\n' });
  });

  it("keeps each command's stdout and stderr apart, whatever it does with its own stderr", async () => {
    const inspect = await shell.run('docker inspect absent', t);
    expect(inspect).toMatchObject({
      exitCode: 1,
      output: '[]\n',
      stderr: expect.stringMatching(/No such object: absent/),
    });
    const container = await shell.run('docker run --rm alpine sh -c "echo dehors; ls /absent"', t);
    expect(container).toMatchObject({ exitCode: 1, output: 'dehors\n', stderr: expect.stringMatching(/No such file/) });
    // `exec 2>…` lasts for its own line: the next command's stderr is captured again.
    expect(await shell.run('exec 2>/dev/null; echo perdu >&2; echo vu', t)).toMatchObject({
      output: 'vu\n',
      stderr: '',
    });
    expect(await shell.run('echo retrouvé >&2', t)).toMatchObject({ exitCode: 0, output: '', stderr: 'retrouvé\n' });
    // Both streams share one cap.
    const both = await shell.run('echo debut; yes erreur >&2', { timeoutMs: 10_000, maxOutputBytes: 1000 });
    expect(both).toMatchObject({ stoppedBy: 'output-limit', truncated: true });
    expect(both.stderr).toMatch(/^erreur\n/);
    expect(both.output.length + both.stderr.length).toBe(1000);
  });

  it('is not fooled by a forged marker or an unterminated line', async () => {
    const forged = await shell.run("printf '\\036deadbeef 0 1 2\\n'; exit_code=7; (exit 7)", t);
    expect(forged.exitCode).toBe(7);
    const broken = await shell.run('echo "non fermé', t);
    expect(broken.exitCode).toBe(2);
    expect((await shell.run('echo ok', t)).output).toBe('ok\n');
  });

  it('interrupts a hanging command (Ctrl-C) and keeps the shell', async () => {
    await shell.run('KEEP=1', t);
    const started = Date.now();
    const r = await shell.run('while true; do sleep 1; done', { timeoutMs: 1000 });
    expect(r).toMatchObject({ stoppedBy: 'timeout', stoppedWith: 'ctrl-c' });
    expect(r.shellEnded).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5000);
    const builtin = await shell.run('while :; do :; done', { timeoutMs: 1000 });
    expect(builtin).toMatchObject({ stoppedBy: 'timeout', stoppedWith: 'ctrl-c' });
    expect((await shell.run('echo $KEEP', t)).output).toBe('1\n');
  });

  it('kills a command that ignores Ctrl-C, and keeps the shell with its directory and variables', async () => {
    await shell.run('mkdir -p tenace && cd tenace && GARDE=oui', t);
    const r = await shell.run(`sh -c "trap '' INT; sleep 101"`, { timeoutMs: 1000 });
    expect(r).toMatchObject({ exitCode: null, stoppedBy: 'timeout', stoppedWith: 'kill' });
    expect(r.shellEnded).toBeUndefined();
    // Nothing of it is left, and the same shell answers.
    const after = await shell.run('echo "$GARDE $PWD"; pgrep -f \'sleep 101\' || echo parti', t);
    expect(after).toMatchObject({ exitCode: 0, output: 'oui /work/tenace\nparti\n' });
    expect((await shell.run('cd /work', t)).exitCode).toBe(0);
  });

  it('caps output per command and keeps going', async () => {
    const r = await shell.run('yes', { timeoutMs: 10_000, maxOutputBytes: 1000 });
    expect(r).toMatchObject({ stoppedBy: 'output-limit', truncated: true });
    expect(r.output.length).toBe(1000);
    expect((await shell.run('echo ok', t)).output).toBe('ok\n');
  });

  it('starts a new shell after exit', async () => {
    const r = await shell.run('exit 3', t);
    expect(r).toMatchObject({ exitCode: 3, shellEnded: true });
    expect((await shell.run('echo $KEEP; pwd', t)).output).toBe('\n/work\n');
  });

  it('runs sudo and winpty lines without them', async () => {
    expect((await shell.run('sudo -E echo a; winpty echo b', t)).output).toBe('a\nb\n');
  });

  it('types lines at a program prompt in a terminal, with the shell variables', async () => {
    expect((await shell.run('docker run -d --name redis redis && N=redis', t)).exitCode).toBe(0);
    const r = await shell.runTerminal('docker exec -it $N redis-cli', {
      input: ['set cle 42', 'get cle'],
      timeoutMs: 30_000,
    });
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('"42"');
    const get = await shell.run('docker exec redis redis-cli get cle', t);
    expect(get.output.trim()).toBe('42');
    const sh = await shell.runTerminal('docker run -it --name tty alpine sh', {
      input: ['echo dedans > /f', 'exit'],
      timeoutMs: 30_000,
    });
    expect(sh.exitCode).toBe(0);
    expect((await shell.run('docker diff tty', t)).output).toContain('A /f');
  });
});
