import { parseSubmission, SubmissionParseError } from './submission.parser';
import { dockerInvocations, withoutTty } from './docker-flags';

function parseError(source: string, limits = {}): SubmissionParseError {
  try {
    parseSubmission(source, limits);
  } catch (error) {
    if (error instanceof SubmissionParseError) return error;
    throw error;
  }
  throw new Error('expected a parse error');
}

describe('parseSubmission: commands as typed', () => {
  it('reads one command per line, skipping blank and comment lines', () => {
    const s = parseSubmission('# exercice 1\ndocker run hello-world\n\n   docker ps -a  \n');
    expect(s.form).toBe('commands');
    expect(s.commands).toEqual([
      { line: 2, text: 'docker run hello-world', tty: false },
      { line: 4, text: 'docker ps -a', tty: false },
    ]);
  });

  it('joins backslash continuations as the shell does and keeps the first line number', () => {
    const s = parseSubmission('docker run -d \\\n  --name redis \\\n  redis\ndocker ps');
    expect(s.commands[0]).toMatchObject({ line: 1, text: 'docker run -d   --name redis   redis' });
    expect(s.commands[1]).toMatchObject({ line: 4, text: 'docker ps' });
  });

  it('does not treat an escaped backslash at the end as a continuation', () => {
    const s = parseSubmission('echo a\\\\\necho b');
    expect(s.commands.map((c) => c.text)).toEqual(['echo a\\\\', 'echo b']);
  });

  it('accepts CRLF line endings and a byte-order mark', () => {
    const s = parseSubmission('\uFEFFdocker ps\r\ndocker images\r\n');
    expect(s.commands.map((c) => c.text)).toEqual(['docker ps', 'docker images']);
  });

  it('gives <<< lines to the command above as stdin', () => {
    const s = parseSubmission(
      'docker run -d --name redis redis\ndocker exec -it redis redis-cli\n<<< set cle 42\n  <<< get cle\n<<<\ndocker ps',
    );
    expect(s.commands[1]).toEqual({
      line: 2,
      text: 'docker exec -it redis redis-cli',
      tty: true,
      stdin: 'set cle 42\nget cle\n\n',
    });
    expect(s.commands[0].stdin).toBeUndefined();
    expect(s.commands[2].stdin).toBeUndefined();
  });

  it('answers a prune confirmation with <<< y', () => {
    const s = parseSubmission('docker system prune -a\n<<< y');
    expect(s.commands).toEqual([{ line: 1, text: 'docker system prune -a', tty: false, stdin: 'y\n' }]);
  });

  it('refuses <<< before any command, naming the line', () => {
    const e = parseError('# rien\n<<< y');
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/^ligne 2 : .*aucune commande ne précède/);
  });

  it('refuses a continuation at the end of the text, naming the line', () => {
    const e = parseError('docker ps\ndocker run -d \\');
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/aucune ligne ne suit/);
  });

  it('refuses an empty submission', () => {
    expect(parseError('\n# seulement un commentaire\n').message).toMatch(/aucune commande/);
  });

  it('enforces the size, line-length, command-count and stdin limits', () => {
    expect(parseError('docker ps\n'.repeat(20), { maxBytes: 100 }).message).toMatch(/octets, la limite est 100/);
    const long = parseError(`docker ps\necho ${'a'.repeat(50)}`, { maxLineLength: 40 });
    expect(long.line).toBe(2);
    expect(long.message).toMatch(/trop longue/);
    expect(parseError('docker ps\n'.repeat(4), { maxCommands: 3 }).message).toMatch(/4 commandes, la limite est 3/);
    const stdin = parseError('docker exec -i redis redis-cli\n<<< set cle 42424242', { maxStdinBytes: 8 });
    expect(stdin.line).toBe(1);
  });

  it('refuses binary content', () => {
    expect(parseError('docker ps\0').message).toMatch(/octet nul/);
  });
});

describe('parseSubmission: a pasted terminal session', () => {
  it('keeps only prompt lines as commands and ignores output', () => {
    const s = parseSubmission(
      [
        'jean@portable:~$ docker run hello-world',
        '',
        'Hello from Docker!',
        'This message shows that your installation appears to be working correctly.',
        'jean@portable:~/projet$ docker ps -a',
        'CONTAINER ID   IMAGE         COMMAND    CREATED   STATUS                     PORTS   NAMES',
        'a1b2c3d4e5f6   hello-world   "/hello"   1s ago    Exited (0) 1 second ago            gifted_hopper',
        'jean@portable:~$ ',
      ].join('\n'),
    );
    expect(s.form).toBe('session');
    expect(s.commands).toEqual([
      { line: 1, text: 'docker run hello-world', tty: false },
      { line: 5, text: 'docker ps -a', tty: false },
    ]);
  });

  it('strips bare $ prompts and bash continuation prompts', () => {
    const s = parseSubmission('$ docker run -d \\\n> --name redis redis\n3f2a…\n$ docker ps');
    expect(s.commands.map((c) => c.text)).toEqual(['docker run -d --name redis redis', 'docker ps']);
  });

  it('feeds lines typed at redis-cli to the docker exec that opened it', () => {
    const s = parseSubmission(
      [
        '$ docker run -d --name redis redis',
        '5e7f…',
        '$ docker exec -it redis redis-cli',
        '127.0.0.1:6379> set cle 42',
        'OK',
        '127.0.0.1:6379> get cle',
        '"42"',
        '127.0.0.1:6379> exit',
        '$ docker ps',
      ].join('\n'),
    );
    expect(s.commands).toEqual([
      { line: 1, text: 'docker run -d --name redis redis', tty: false },
      { line: 3, text: 'docker exec -it redis redis-cli', tty: true, stdin: 'set cle 42\nget cle\nexit\n' },
      { line: 9, text: 'docker ps', tty: false },
    ]);
  });

  it('feeds lines typed in a container shell (/ # and root@id:/#) to the command that opened it', () => {
    const s = parseSubmission(
      [
        'user@host:~$ docker run -it alpine',
        '/ # ls',
        'bin  dev  etc',
        '/ # exit',
        'user@host:~$ docker exec -it redis bash',
        'root@3f2a1b9c:/data# redis-cli get cle',
        '"42"',
        'root@3f2a1b9c:/data# exit',
        'user@host:~$ docker ps',
      ].join('\n'),
    );
    expect(s.commands.map((c) => [c.text, c.stdin])).toEqual([
      ['docker run -it alpine', 'ls\nexit\n'],
      ['docker exec -it redis bash', 'redis-cli get cle\nexit\n'],
      ['docker ps', undefined],
    ]);
  });

  it('takes the answer to a [y/N] confirmation as stdin', () => {
    const s = parseSubmission(
      [
        '$ docker system prune -a',
        'WARNING! This will remove:',
        '  - all stopped containers',
        'Are you sure you want to continue? [y/N] y',
        'Total reclaimed space: 0B',
      ].join('\n'),
    );
    expect(s.commands).toEqual([{ line: 1, text: 'docker system prune -a', tty: false, stdin: 'y\n' }]);
  });

  it('accepts <<< lines in a session too', () => {
    const s = parseSubmission('$ docker system prune\n<<< y');
    expect(s.commands[0].stdin).toBe('y\n');
  });

  it('treats a container-shell session as commands when it is the outer prompt', () => {
    const s = parseSubmission('/ # docker ps\nCONTAINER ID\n/ # docker images');
    expect(s.commands.map((c) => c.text)).toEqual(['docker ps', 'docker images']);
  });

  it('ignores program prompts when no interactive command is open', () => {
    const s = parseSubmission('$ docker ps\n127.0.0.1:6379> get cle\n$ docker images');
    expect(s.commands.map((c) => c.text)).toEqual(['docker ps', 'docker images']);
  });

  it('closes the inner prompt when the outer prompt comes back', () => {
    const s = parseSubmission(
      '$ docker exec -it redis redis-cli\n127.0.0.1:6379> set cle 42\n$ docker ps\n127.0.0.1:6379> get cle',
    );
    expect(s.commands.map((c) => c.stdin)).toEqual(['set cle 42\n', undefined]);
  });

  it('names the line of a dangling continuation in a session', () => {
    expect(parseError('$ docker ps\n$ docker run \\').line).toBe(2);
  });

  it('reads a psql prompt as input of docker exec -it … psql', () => {
    const s = parseSubmission(
      '$ docker exec -it postgres psql -U postgres\npostgres=# \\l\npostgres=# \\q\n$ docker ps',
    );
    expect(s.commands[0].stdin).toBe('\\l\n\\q\n');
  });
});

describe('dockerInvocations', () => {
  it.each([
    ['docker run -it alpine', true, true],
    ['docker run -ti alpine', true, true],
    ['docker run -dit --name a alpine', true, true],
    ['docker container run --tty --interactive alpine', true, true],
    ['docker run -i alpine', false, true],
    ['docker run -d redis', false, false],
    ['docker run alpine ls -t', false, false],
    ['docker run -e -t alpine', false, false],
    ['docker run --name -t alpine', false, false],
    ['docker build -t monimage .', false, false],
    ['docker logs -t redis', false, false],
    ['docker exec -it redis redis-cli', true, true],
    ['docker container start -ai alpine1', false, true],
    ['docker attach alpine1', false, true],
    ['docker run -p8080:80 -it nginx', true, true],
    ['docker ps && docker run -it alpine', true, true],
  ])('%s → tty %s, interactive %s', (line, tty, interactive) => {
    const invs = dockerInvocations(line);
    expect(invs.some((d) => d.tty)).toBe(tty);
    expect(invs.some((d) => d.interactive)).toBe(interactive);
  });

  it.each([
    ['docker exec -it redis redis-cli', 'exec', 'redis'],
    ['winpty docker exec -it -e A=1 -u root pg psql', 'exec', 'pg'],
    ['sudo docker container exec --workdir /data db ls', 'exec', 'db'],
    ['docker run --name web -p 8080:80 -d nginx', 'run', 'nginx'],
    ['docker run -- alpine', 'run', 'alpine'],
    ['docker start -ai alpine1', 'start', 'alpine1'],
  ])('%s → %s of %s', (line, subcommand, target) => {
    expect(dockerInvocations(line)).toEqual([expect.objectContaining({ subcommand, target })]);
  });
});

describe('withoutTty', () => {
  it.each([
    ['docker exec -it redis redis-cli', 'docker exec -i redis redis-cli'],
    ['docker exec -ti web bash', 'docker exec -i web bash'],
    ['docker run -t alpine ls -t', 'docker run alpine ls -t'],
    ['docker container run --rm --tty --interactive alpine sh', 'docker container run --rm --interactive alpine sh'],
    ['docker run -e -t -it alpine', 'docker run -e -t -i alpine'],
    ['docker run --name -t -it alpine', 'docker run --name -t -i alpine'],
    ['docker run -p8080:80 -it nginx', 'docker run -p8080:80 -i nginx'],
    ['docker build -t img . && docker run -it img', 'docker build -t img . && docker run -i img'],
    ['docker ps; docker exec -it a sh; docker exec -it b sh', 'docker ps; docker exec -i a sh; docker exec -i b sh'],
    ['docker logs -t redis', 'docker logs -t redis'],
  ])('%s → %s', (line, expected) => {
    expect(withoutTty(line)).toBe(expected);
  });
});

describe('parseSubmission: what students paste and type', () => {
  const texts = (source: string) => parseSubmission(source).commands.map((c) => c.text);

  it("keeps a here-document with its body as one command (<<EOF, <<'EOF', <<-EOF)", () => {
    const s = parseSubmission("cat > Dockerfile <<'FIN'\nFROM nginx\n# pas une commande\nFIN\ndocker build -t web .");
    expect(s.commands).toEqual([
      { line: 1, text: "cat > Dockerfile <<'FIN'\nFROM nginx\n# pas une commande\nFIN", tty: false },
      { line: 5, text: 'docker build -t web .', tty: false },
    ]);
    expect(texts('cat <<EOF > a\n$HOME\nEOF')).toEqual(['cat <<EOF > a\n$HOME\nEOF']);
    expect(texts('cat <<-EOF > a\n\tx\n\tEOF\necho fin')).toEqual(['cat <<-EOF > a\n\tx\n\tEOF', 'echo fin']);
    expect(texts('cat <<EOF > a\nx\nEOF  \necho fin')).toEqual(['cat <<EOF > a\nx\nEOF', 'echo fin']);
  });

  it('does not take a here-string or a quoted << for a here-document', () => {
    expect(texts('docker exec -i redis redis-cli <<< "set cle 42"\necho fin')).toHaveLength(2);
    expect(texts('echo "a <<EOF b"\necho fin')).toHaveLength(2);
    expect(texts('echo $(( 1 << 2 ))\necho fin')).toHaveLength(2);
  });

  it('refuses a here-document that never ends, naming its line', () => {
    const e = parseError('docker ps\ncat > Dockerfile <<FIN\nFROM nginx');
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/here-document n'est jamais terminé.*« FIN »/);
  });

  it('keeps a loop, a condition, a function or an open quote spanning lines as one command', () => {
    expect(texts('for id in $(docker ps -q)\ndo\n  docker stop $id\ndone\ndocker ps')).toEqual([
      'for id in $(docker ps -q)\ndo\n  docker stop $id\ndone',
      'docker ps',
    ]);
    expect(texts('if docker ps | grep -q web; then\n  echo oui\nfi')).toHaveLength(1);
    expect(texts('lance() {\n  docker run -d redis\n}\nlance')).toEqual([
      'lance() {\n  docker run -d redis\n}',
      'lance',
    ]);
    expect(texts('echo "deux\nlignes"\necho fin')).toEqual(['echo "deux\nlignes"', 'echo fin']);
    expect(texts('docker ps -a |\n  grep redis')).toEqual(['docker ps -a |\n  grep redis']);
    expect(texts('echo for done; echo if')).toHaveLength(1);
  });

  it('reads a session whose here-document and loop lines carry bash’s > prompt', () => {
    const s = parseSubmission(
      "$ cat > index.html <<'FIN'\n> <h1>Bonjour</h1>\n> FIN\n$ for i in 1 2; do\n> echo $i\n> done\n1\n2\n",
    );
    expect(s.commands.map((c) => c.text)).toEqual([
      "cat > index.html <<'FIN'\n<h1>Bonjour</h1>\nFIN",
      'for i in 1 2; do\necho $i\ndone',
    ]);
  });

  it.each([
    [
      'Git Bash (MINGW64, two lines)',
      'jean@PC MINGW64 ~/cours (main)\n$ docker ps\nCONTAINER ID\n\njean@PC MINGW64 ~/cours (main)\n$ docker images',
    ],
    ['macOS zsh', 'jean@MacBook-Air ~ % docker ps\nCONTAINER ID\njean@MacBook-Air ~ % docker images'],
    ['fish', 'jean@portable ~/cours> docker ps\nCONTAINER ID\njean@portable ~/cours> docker images'],
    ['oh-my-zsh', '➜  cours git:(main) ✗ docker ps\nCONTAINER ID\n➜  cours git:(main) docker images'],
    ['PowerShell', 'PS C:\\Users\\jean> docker ps\nCONTAINER ID\nPS C:\\Users\\jean> docker images'],
    ['Windows cmd', 'C:\\Users\\jean>docker ps\nCONTAINER ID\nC:\\Users\\jean>docker images'],
    [
      'WSL with a git branch',
      'jean@DESKTOP-4F2:/mnt/c/cours (main)$ docker ps\nCONTAINER ID\njean@DESKTOP-4F2:/mnt/c/cours (main)$ docker images',
    ],
    [
      'a venv prompt',
      '(venv) jean@portable:~/cours$ docker ps\nCONTAINER ID\n(venv) jean@portable:~/cours$ docker images',
    ],
    [
      'ANSI colours and CRLF',
      '\x1b[01;32mjean@portable\x1b[00m:\x1b[01;34m~\x1b[00m$ docker ps\r\nCONTAINER ID\r\n\x1b[01;32mjean@portable\x1b[00m:~$ docker images\r\n',
    ],
    ['a line redrawn after \\r', '$ docker pz\r$ docker ps\nCONTAINER ID\n$ docker images'],
    [
      'Docker Desktop’s What’s next blurb',
      "$ docker ps\nCONTAINER ID\n\nWhat's next:\n    Try Docker Debug: docker debug\n$ docker images",
    ],
  ])('reads a pasted %s session', (_name, source) => {
    const s = parseSubmission(source);
    expect(s.form).toBe('session');
    expect(s.commands.map((c) => c.text)).toEqual(['docker ps', 'docker images']);
  });

  it('skips the What’s next blurb in typed commands', () => {
    expect(
      texts(
        "docker run hello-world\nWhat's next:\n  View a summary of image vulnerabilities: docker scout quickview\ndocker ps",
      ),
    ).toEqual(['docker run hello-world', 'docker ps']);
  });

  it('replaces word-processor characters in commands, with a notice, not in here-document bodies', () => {
    const s = parseSubmission(
      'docker run –d –name web -e MSG=“bonjour” -p\u00a08081:80 nginx\ncat > a.html <<FIN\n« Bienvenue » – accueil\nFIN',
    );
    expect(s.commands[0].text).toBe('docker run -d --name web -e MSG="bonjour" -p 8081:80 nginx');
    expect(s.commands[1].text).toBe('cat > a.html <<FIN\n« Bienvenue » – accueil\nFIN');
    expect(s.notices).toHaveLength(1);
    expect(s.notices[0]).toMatch(/espaces insécables, guillemets typographiques, tirets longs/);
    expect(parseSubmission('docker ps').notices).toEqual([]);
  });

  it('sees docker -it behind winpty and sudo (terminal, inner prompt lines typed into it)', () => {
    const s = parseSubmission(
      '$ winpty docker exec -it redis redis-cli\n127.0.0.1:6379> get cle\n"42"\n$ sudo docker ps',
    );
    expect(s.commands).toEqual([
      { line: 1, text: 'winpty docker exec -it redis redis-cli', tty: true, stdin: 'get cle\n' },
      { line: 4, text: 'sudo docker ps', tty: false },
    ]);
  });
});
