import { DemandWindow, type PoolDemand, type PoolRoom, poolTarget } from './pool-sizer';

const room: PoolRoom = {
  min: 1,
  max: 4,
  concurrency: 4,
  availableMb: 8000,
  reserveMb: 1000,
  warmSandboxMb: 100,
  ready: 1,
  idleSeconds: 300,
};
const calm: PoolDemand = {
  waiting: 0,
  workers: 1,
  startsPerMinute: 0,
  meanGradingSeconds: 5,
  peakInUse: 0,
  idleSeconds: 10,
};

describe('poolTarget', () => {
  it('keeps the floor when nothing happens, and returns to it after the idle time', () => {
    expect(poolTarget(calm, room)).toBe(1);
    expect(poolTarget({ ...calm, startsPerMinute: 30, idleSeconds: 301 }, room)).toBe(1);
    expect(poolTarget(calm, { ...room, min: 0 })).toBe(0);
  });

  it('grows with the backlog, this worker taking its share, up to its concurrency', () => {
    expect(poolTarget({ ...calm, waiting: 3 }, room)).toBe(3);
    expect(poolTarget({ ...calm, waiting: 6, workers: 3 }, room)).toBe(2);
    expect(poolTarget({ ...calm, waiting: 100 }, room)).toBe(4);
    expect(poolTarget({ ...calm, waiting: 100 }, { ...room, max: 2 })).toBe(2);
  });

  it('follows steady arrivals without a backlog (arrival rate × grading time)', () => {
    expect(poolTarget({ ...calm, startsPerMinute: 24, meanGradingSeconds: 5 }, room)).toBe(2);
    expect(poolTarget({ ...calm, startsPerMinute: 36, meanGradingSeconds: 5 }, room)).toBe(3);
  });

  it('keeps as many warm as the recent burst needed, until the idle time passes', () => {
    expect(poolTarget({ ...calm, startsPerMinute: 4, meanGradingSeconds: 2, peakInUse: 3 }, room)).toBe(3);
    expect(poolTarget({ ...calm, peakInUse: 3, idleSeconds: 400 }, room)).toBe(1);
  });

  it('never exceeds what the available memory holds above the reserve, but keeps the floor', () => {
    expect(poolTarget({ ...calm, waiting: 100 }, { ...room, availableMb: 1250 })).toBe(3); // 1 held + 2 more
    expect(poolTarget({ ...calm, waiting: 100 }, { ...room, availableMb: 500, ready: 0 })).toBe(1);
  });
});

describe('DemandWindow', () => {
  it('counts starts in its window, averages durations, and measures idleness from the last activity', () => {
    let now = 0;
    const w = new DemandWindow(60_000, 5, () => now);
    expect(w.demand(0, 1)).toMatchObject({ startsPerMinute: 0, meanGradingSeconds: 5, idleSeconds: Infinity });
    w.started();
    now = 10_000;
    w.started();
    w.ended(2);
    w.ended(4);
    expect(w.demand(0, 1)).toMatchObject({
      startsPerMinute: 2,
      meanGradingSeconds: 3,
      peakInUse: 2,
      idleSeconds: 0,
    });
    now = 65_000;
    expect(w.demand(0, 1)).toMatchObject({ startsPerMinute: 1, peakInUse: 2, idleSeconds: 55 });
    now = 75_000;
    expect(w.demand(0, 1)).toMatchObject({ startsPerMinute: 0, peakInUse: 0 });
    w.sawBacklog();
    expect(w.demand(2, 1).idleSeconds).toBe(0);
  });
});
