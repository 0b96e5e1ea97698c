import type { DockerSandbox } from '../../../src/sandbox/docker-sandbox';
import { leftovers, driverForFile } from './sandbox-fixture';

jest.setTimeout(240_000);

/** The driver forgets what it released: a worker grading for weeks must not keep one entry per sandbox. */
describe('sandbox driver bookkeeping (real Docker)', () => {
  const driver = driverForFile();

  it('holds nothing once N acquired sandboxes are released, twice over, concurrently', async () => {
    const N = 3;
    expect(driver.bookkeeping()).toEqual({ live: 0, acquired: 0, releasing: 0 });
    const sandboxes = (await Promise.all(Array.from({ length: N }, () => driver.acquire()))) as DockerSandbox[];
    expect(driver.bookkeeping()).toEqual({ live: N, acquired: N, releasing: 0 });
    // A release asked twice (the worker's finally and a shutdown racing) is one release.
    const releases = sandboxes.flatMap((s) => [driver.release(s), driver.release(s)]);
    expect(driver.bookkeeping().releasing).toBe(N);
    await Promise.all(releases);
    expect(driver.bookkeeping()).toEqual({ live: 0, acquired: 0, releasing: 0 });
    for (const s of sandboxes)
      expect(await leftovers(driver, s.id, s.paths.dir)).toEqual({ containers: 0, networks: 0, dir: false });
  });
});
