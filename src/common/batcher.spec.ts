import { Batcher } from './batcher';

/** A backend whose writes finish when the test says so. */
function harness(maxBatch = 100) {
  const writes: number[][] = [];
  const finish: Array<() => void> = [];
  const batcher = new Batcher<number>((batch) => {
    writes.push(batch);
    return new Promise<void>((resolve) => finish.push(resolve));
  }, maxBatch);
  const tick = () => new Promise((r) => setImmediate(r));
  return { batcher, writes, finish, tick };
}

describe('Batcher', () => {
  it('writes an item added alone on the next turn', async () => {
    const h = harness();
    h.batcher.add(1);
    expect(h.writes).toEqual([]);
    await h.tick();
    expect(h.writes).toEqual([[1]]);
  });

  it('keeps one write in flight and groups what arrives meanwhile', async () => {
    const h = harness();
    h.batcher.add(1);
    await h.tick();
    h.batcher.add(2);
    h.batcher.add(3);
    await h.tick();
    expect(h.writes).toEqual([[1]]);
    h.finish.shift()!();
    await h.tick();
    await h.tick();
    expect(h.writes).toEqual([[1], [2, 3]]);
  });

  it('splits groups at maxBatch', async () => {
    const h = harness(2);
    for (const i of [1, 2, 3]) h.batcher.add(i);
    await h.tick();
    h.finish.shift()!();
    await h.tick();
    await h.tick();
    expect(h.writes).toEqual([[1, 2], [3]]);
  });

  it('drain resolves once everything added has been written', async () => {
    const h = harness();
    h.batcher.add(1);
    h.batcher.add(2);
    let drained = false;
    const draining = h.batcher.drain().then(() => (drained = true));
    await h.tick();
    await h.tick();
    expect(drained).toBe(false);
    h.finish.shift()!();
    await draining;
    expect(h.writes).toEqual([[1, 2]]);
  });
});
