import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExerciseCatalogueCache } from './exercise-catalogue.cache';
import { ExerciseLoadError, type LoadedExercise } from './exercise.loader';

const catalogue = resolve(__dirname, '../../exercises');

/** Loads until `done` holds: the watcher's event arrives a moment after the write. */
async function loadUntil(
  cache: ExerciseCatalogueCache,
  slug: string,
  done: (r: LoadedExercise | Error) => boolean,
): Promise<LoadedExercise | Error> {
  for (let i = 0; i < 200; i++) {
    const r = await cache.load(slug).catch((e: Error) => e);
    if (done(r)) return r;
    await new Promise((ok) => setTimeout(ok, 25));
  }
  throw new Error(`${slug}: the change on disk was never seen`);
}

describe('ExerciseCatalogueCache', () => {
  let root: string;
  let cache: ExerciseCatalogueCache | undefined;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'catalogue-cache-'));
    cpSync(join(catalogue, 'hello-world'), join(root, 'hello-world'), { recursive: true });
    cpSync(join(catalogue, 'redis-exec'), join(root, 'redis-exec'), { recursive: true });
  });
  afterEach(() => {
    cache?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('reads an exercise once while its files do not change', async () => {
    cache = new ExerciseCatalogueCache(root);
    const first = await cache.load('hello-world');
    expect(await cache.load('hello-world')).toBe(first);
    expect(first.definition.slug).toBe('hello-world');
  });

  it('serves a frozen definition, so no job can change the next one', async () => {
    cache = new ExerciseCatalogueCache(root);
    const ex = await cache.load('hello-world');
    expect(() => {
      (ex.definition.checks as unknown[]).push({});
    }).toThrow(TypeError);
    expect(() => {
      (ex as { maxScore: number }).maxScore = 0;
    }).toThrow(TypeError);
  });

  it('loads again after a file of that exercise changed, and only that exercise', async () => {
    cache = new ExerciseCatalogueCache(root);
    const before = await cache.load('hello-world');
    const other = await cache.load('redis-exec');
    const yaml = join(root, 'hello-world', 'exercise.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/^title: .*$/m, 'title: Titre changé'));
    const after = (await loadUntil(cache, 'hello-world', (r) => !(r instanceof Error) && r !== before)) as LoadedExercise;
    expect(after.definition.title).toBe('Titre changé');
    expect(after.version).not.toBe(before.version);
    expect(await cache.load('redis-exec')).toBe(other);
  });

  it('does not keep a broken definition: the error comes back until the file is fixed', async () => {
    cache = new ExerciseCatalogueCache(root);
    await cache.load('hello-world');
    const yaml = join(root, 'hello-world', 'exercise.yaml');
    const good = readFileSync(yaml, 'utf8');
    writeFileSync(yaml, 'slug: [unclosed');
    const broken = await loadUntil(cache, 'hello-world', (r) => r instanceof Error);
    expect(broken).toBeInstanceOf(ExerciseLoadError);
    await expect(cache.load('hello-world')).rejects.toBeInstanceOf(ExerciseLoadError);
    writeFileSync(yaml, good);
    const fixed = await loadUntil(cache, 'hello-world', (r) => !(r instanceof Error));
    expect((fixed as LoadedExercise).definition.slug).toBe('hello-world');
  });

  it('reads from disk for every call when the folder cannot be watched', async () => {
    const missing = join(root, 'not-yet');
    cache = new ExerciseCatalogueCache(missing);
    cpSync(join(catalogue, 'hello-world'), join(missing, 'hello-world'), { recursive: true });
    const a = await cache.load('hello-world');
    const b = await cache.load('hello-world');
    expect(b).not.toBe(a);
    expect(b.version).toBe(a.version);
  });
});
