import { Logger } from '@nestjs/common';
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { loadExercise, type LoadedExercise } from './exercise.loader';

/**
 * The exercises on disk, each loaded once and loaded again only after one of its files changed.
 *
 * Why: a worker grades the same few exercises thousands of times an exam; reading and validating
 * a definition and its solutions per job is work with nothing to show for it. A change on disk
 * (a teacher fixing a check before a regrade) must still be seen by the next job, so the cache
 * watches the catalogue folder (inotify, recursive) and forgets an exercise when anything under
 * its folder moves. Where the folder cannot be watched (no inotify watches left, a network
 * filesystem that sends no events), nothing is cached: every job loads from disk, as before.
 *
 * One object serves every job, so it is frozen: a grading step that changed it would change the
 * next student's exercise; frozen, it throws at the first such write instead.
 *
 * A failed load is not cached: the error reaches the caller each time, until the file is fixed.
 */
export class ExerciseCatalogueCache {
  private readonly logger = new Logger(ExerciseCatalogueCache.name);
  private readonly loaded = new Map<string, Promise<LoadedExercise>>();
  private watcher: FSWatcher | undefined;
  private watching = false;

  constructor(private readonly root: string) {
    try {
      this.watcher = watch(root, { recursive: true }, (_event, name) => this.changed(name));
      this.watcher.on('error', (err) => this.stopWatching(err));
      this.watching = true;
    } catch (err) {
      this.stopWatching(err);
    }
  }

  /** The exercise `<root>/<slug>` as it is on disk now; throws ExerciseLoadError when it is broken. */
  load(slug: string): Promise<LoadedExercise> {
    if (!this.watching) return loadExercise(join(this.root, slug));
    const cached = this.loaded.get(slug);
    if (cached) return cached;
    // A change while this load runs removes it from the map (changed()), so a read that may mix
    // old and new files is used by the job that asked for it, never kept for the next ones.
    const loading = loadExercise(join(this.root, slug)).then(deepFreeze);
    this.loaded.set(slug, loading);
    loading.catch(() => {
      if (this.loaded.get(slug) === loading) this.loaded.delete(slug);
    });
    return loading;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.watching = false;
    this.loaded.clear();
  }

  private changed(name: string | Buffer | null): void {
    // The first path segment is the exercise's folder; an event without a name could be anything.
    const slug = name ? String(name).split('/')[0] : undefined;
    if (slug === undefined) this.loaded.clear();
    else this.loaded.delete(slug);
  }

  private stopWatching(err: unknown): void {
    this.logger.warn(`exercise folder ${this.root} not watched (${(err as Error).message}): definitions read from disk for every job`);
    this.watcher?.close();
    this.watcher = undefined;
    this.watching = false;
    this.loaded.clear();
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
