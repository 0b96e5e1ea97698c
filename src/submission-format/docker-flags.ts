import { analyseLine, unwrapped, type SimpleCommand } from './shell-line.analyzer';

/**
 * Reads the docker CLI options that change how a command must be run: `-t` asks for a
 * pseudo-terminal, `-i` keeps stdin open (so what the student typed next is that command's input).
 * Only `run`, `create`, `exec`, `start` and `attach` are looked at: elsewhere `-t` means a tag
 * (`docker build -t`) or timestamps (`docker logs -t`).
 */

export interface DockerInvocation {
  subcommand: string;
  tty: boolean;
  interactive: boolean;
  detach: boolean;
  /** run/create: the image; exec/start: the container (as typed). */
  target?: string;
}

/** Short options that take a value, per subcommand (so `-e -t` does not ask for a TTY). */
const SHORT_WITH_VALUE: Record<string, Set<string>> = {
  run: new Set(['a', 'c', 'e', 'h', 'l', 'm', 'p', 'u', 'v', 'w']),
  create: new Set(['a', 'c', 'e', 'h', 'l', 'm', 'p', 'u', 'v', 'w']),
  exec: new Set(['e', 'u', 'w']),
  start: new Set(),
};
/** Long options without a value; every other long option takes one unless written `--opt=value`. */
const LONG_BOOLEAN = new Set([
  'detach',
  'interactive',
  'tty',
  'rm',
  'init',
  'privileged',
  'read-only',
  'publish-all',
  'help',
  'no-healthcheck',
  'oom-kill-disable',
  'disable-content-trust',
  'quiet',
  'sig-proxy',
  'attach',
  'no-stdin',
]);

export function dockerInvocations(line: string): DockerInvocation[] {
  const a = analyseLine(line);
  if (!a.ok) return [];
  return a.commands.flatMap((c) => {
    const d = readDocker(c);
    return d ? [d] : [];
  });
}

function readDocker(c: SimpleCommand): DockerInvocation | undefined {
  // `sudo docker …` and Git Bash's `winpty docker …` run docker.
  const { words } = unwrapped(c.words.map((w) => w.text));
  if (words[0] !== 'docker') return undefined;
  let i = 1;
  // Global options before the subcommand (rare in the course, e.g. `docker --debug run`).
  while (i < words.length && words[i].startsWith('-')) i += 1;
  let sub = words[i] ?? '';
  if (sub === 'container' && words[i + 1]) {
    i += 1;
    sub = words[i];
  }
  const inv: DockerInvocation = { subcommand: sub, tty: false, interactive: false, detach: false };
  if (!['run', 'create', 'exec', 'start', 'attach'].includes(sub)) return inv;
  if (sub === 'attach') {
    inv.interactive = !words.includes('--no-stdin');
    return inv;
  }
  for (let j = i + 1; j < words.length; j++) {
    const w = words[j];
    if (w === '--') {
      inv.target = words[j + 1];
      break;
    }
    if (!w.startsWith('-') || w === '-') {
      inv.target = w; // the image or container: what follows is its command
      break;
    }
    if (w.startsWith('--')) {
      const [name, value] = w.slice(2).split('=', 2);
      if (name === 'tty') inv.tty = true;
      if (name === 'interactive') inv.interactive = true;
      if (name === 'detach') inv.detach = true;
      if (value === undefined && !LONG_BOOLEAN.has(name)) j += 1;
      continue;
    }
    const flags = w.slice(1);
    for (let k = 0; k < flags.length; k++) {
      const f = flags[k];
      if (SHORT_WITH_VALUE[sub].has(f)) {
        if (k === flags.length - 1) j += 1; // value is the next word; otherwise glued (`-p8080:80`)
        break;
      }
      if (f === 't' && sub !== 'start') inv.tty = true;
      if (f === 'i') inv.interactive = true;
      if (f === 'd') inv.detach = true;
    }
  }
  return inv;
}

/**
 * Removes `-t` / `--tty` from the options of `docker run|create|exec` in a command line, leaving
 * everything else as typed (`-it` → `-i`, `-dit` → `-di`). Works on the raw text: option words
 * are never quoted in practice, and rewriting stops at the first word that is not an option.
 */
export function withoutTty(line: string): string {
  const head = /\bdocker\s+(?:container\s+)?(run|exec|create)\b/g;
  let out = '';
  let last = 0;
  for (const m of line.matchAll(head)) {
    const sub = m[1];
    let pos = (m.index ?? 0) + m[0].length;
    if (pos <= last) continue;
    out += line.slice(last, pos);
    let expectValue = false;
    const word = /(\s+)(\S+)/y;
    for (;;) {
      word.lastIndex = pos;
      const t = word.exec(line);
      if (!t) break;
      const [whole, space, w] = t;
      const isValue = expectValue;
      expectValue = false;
      if (!isValue && (!w.startsWith('-') || w === '-' || w === '--')) break;
      let kept = w;
      if (!isValue && w.startsWith('--')) {
        const [name, value] = w.slice(2).split('=', 2);
        if (name === 'tty' && value === undefined) kept = '';
        else if (value === undefined && !LONG_BOOLEAN.has(name)) expectValue = true;
      } else if (!isValue) {
        let flags = '';
        const cluster = w.slice(1);
        for (let k = 0; k < cluster.length; k++) {
          const f = cluster[k];
          if (SHORT_WITH_VALUE[sub].has(f)) {
            flags += cluster.slice(k);
            if (k === cluster.length - 1) expectValue = true;
            break;
          }
          if (f !== 't') flags += f;
        }
        kept = flags ? `-${flags}` : '';
      }
      out += kept ? space + kept : '';
      pos += whole.length;
    }
    last = pos;
  }
  return out + line.slice(last);
}
