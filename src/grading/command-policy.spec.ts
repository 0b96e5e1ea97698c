import { checkCommandLine } from './command-policy';

function refused(line: string): string {
  const d = checkCommandLine(line);
  if (d.allowed) throw new Error(`expected "${line}" to be refused`);
  return d.reason;
}

function notices(line: string): string[] {
  const d = checkCommandLine(line);
  if (!d.allowed) throw new Error(`expected "${line}" to be allowed: ${d.reason}`);
  return d.notices;
}

describe('checkCommandLine', () => {
  it.each([
    'docker run hello-world',
    'docker rm -f $(docker ps -aq)',
    'docker stop `docker ps -q`',
    'docker run -d -v "$(pwd)":/usr/share/nginx/html -p 8081:80 nginx',
    'docker ps -a | grep redis | wc -l',
    'echo "<h1>Bonjour</h1>" > index.html; cat index.html',
    'docker ps -aq | xargs docker rm -f',
    'ID=$(docker run -d redis)',
    'POSTGRES_PASSWORD=x docker run -e POSTGRES_PASSWORD postgres',
    // host habits and ordinary shell: run as typed (the sandbox is the boundary)
    'rm -f index.html',
    'clear',
    'history',
    'sh -c "docker ps"',
    "bash -c 'docker run -d --name web nginx'",
    'docker run -d redis &',
    'wait',
    "cat > Dockerfile <<'FIN'\nFROM nginx\nCOPY index.html /usr/share/nginx/html/\nFIN",
    'docker exec -i redis redis-cli <<< "set cle 42"',
    'echo $((1+2))',
    'for id in $(docker ps -q); do docker stop $id; done',
    'while ! docker exec pg pg_isready; do sleep 1; done',
    'if docker ps | grep -q redis; then echo oui; else echo non; fi',
    'f() { docker ps; }; f',
    'eval "docker ps"',
    'echo "non fermé', // the shell reports the error, as in a terminal
  ])('allows %s without notice', (line) => {
    expect(checkCommandLine(line)).toEqual({ allowed: true, notices: [] });
  });

  it('runs sudo lines without sudo, with a notice', () => {
    expect(notices('sudo docker run hello-world')[0]).toMatch(/sudo.*exécutée sans sudo/);
    expect(notices('sudo -E docker ps && sudo docker images')).toHaveLength(1);
    expect(notices('winpty docker exec -it redis redis-cli')).toEqual([]);
  });

  it.each([
    ['nano Dockerfile', /nano.*éditeur.*here-document/],
    ['vi index.html', /« vi »/],
    ['sudo vim Dockerfile', /« vim »/],
    ['cd app && nano Dockerfile', /nano/],
  ])('refuses %s kindly', (line, reason) => {
    expect(refused(line)).toMatch(reason);
  });

  describe('docker compose, allowed per exercise (allow: [compose])', () => {
    const COMPOSE_LINES = [
      'docker compose up -d',
      'docker-compose up -d',
      'sudo docker compose -f app.yaml ps',
      'cd app && docker compose down',
    ];
    const withCompose = new Set(['compose'] as const);

    it.each(COMPOSE_LINES)(
      'refuses %s in an exercise that does not allow it, saying how the course does it',
      (line) => {
        const d = checkCommandLine(line, { available: withCompose });
        expect(d).toEqual({
          allowed: false,
          reason:
            'cet exercice se fait sans docker compose : lancez chaque conteneur avec « docker run », comme dans le cours',
        });
      },
    );

    it.each(COMPOSE_LINES)('runs %s where the exercise allows it and the sandboxes have it', (line) => {
      expect(checkCommandLine(line, { allow: ['compose'], available: withCompose })).toMatchObject({ allowed: true });
    });

    it.each(COMPOSE_LINES)(
      'refuses %s, saying why, while the sandboxes lack compose (the image today), allowed or not',
      (line) => {
        const unavailable =
          /^docker compose n'est pas installé dans les bacs à sable de correction : lancez les conteneurs avec « docker run »/;
        expect(checkCommandLine(line, { allow: ['compose'] })).toMatchObject({
          allowed: false,
          reason: expect.stringMatching(unavailable),
        });
        // The defaults, without the exercise's options: what the submission form checks before queueing.
        expect(refused(line)).toMatch(unavailable);
      },
    );

    it('does not take a container or a file named compose for the command', () => {
      expect(checkCommandLine('docker run --name compose redis').allowed).toBe(true);
      expect(checkCommandLine('docker logs compose').allowed).toBe(true);
    });
  });

  it('does not mistake a word for a program', () => {
    expect(checkCommandLine('echo nano vi; docker run --name compose redis').allowed).toBe(true);
    expect(checkCommandLine("cat > notes.txt <<'FIN'\nvi est un éditeur\nFIN").allowed).toBe(true);
  });
});
