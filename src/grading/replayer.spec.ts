import { runPlan } from './replayer';

describe('runPlan', () => {
  const cmd = (text: string, stdin?: string) => ({ line: 1, text, stdin, tty: /-\w*t/.test(text) });

  it('runs an attached interactive command in a terminal, its input lines typed one by one', () => {
    expect(runPlan(cmd('docker exec -it redis redis-cli', 'set cle 42\nget cle\n'))).toEqual({
      terminal: true,
      input: ['set cle 42', 'get cle'],
    });
    expect(runPlan(cmd('docker run -it alpine'))).toEqual({ terminal: true, input: [] });
    expect(runPlan(cmd('docker start -ai cont1', 'ls\n')).terminal).toBe(true);
    expect(runPlan(cmd('docker attach cont1')).terminal).toBe(true);
  });

  it('runs detached, output-only and non-interactive commands in the shell', () => {
    expect(runPlan(cmd('docker run -dit --name cont1 alpine')).terminal).toBe(false);
    expect(runPlan(cmd('docker run -t alpine ls')).terminal).toBe(false);
    expect(runPlan(cmd('docker exec -i redis redis-cli', 'get cle\n')).terminal).toBe(false);
    expect(runPlan(cmd('docker system prune -a', 'y\n'))).toEqual({ terminal: false, input: [] });
  });
});
