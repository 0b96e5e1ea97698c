import { instantToZoned, isTimeZone, zonedToInstant } from './time-zone';

describe('course time zone', () => {
  it('reads a datetime-local value in the course zone, winter and summer', () => {
    expect(zonedToInstant('2026-12-04T18:00', 'Europe/Paris')?.toISOString()).toBe('2026-12-04T17:00:00.000Z');
    expect(zonedToInstant('2026-06-04T18:00', 'Europe/Paris')?.toISOString()).toBe('2026-06-04T16:00:00.000Z');
    expect(zonedToInstant('2026-12-04T18:00', 'America/Montreal')?.toISOString()).toBe('2026-12-04T23:00:00.000Z');
  });

  it('round-trips through instantToZoned, and refuses what is not a date', () => {
    for (const local of ['2026-03-29T01:30', '2026-10-25T03:30', '2027-01-01T00:00']) {
      expect(instantToZoned(zonedToInstant(local, 'Europe/Paris')!, 'Europe/Paris')).toBe(local);
    }
    expect(zonedToInstant('2026-02-30T10:00', 'Europe/Paris')).toBeUndefined();
    expect(zonedToInstant('demain', 'Europe/Paris')).toBeUndefined();
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('takes the earlier instant in the autumn overlap', () => {
    // 02:30 happens twice on 2026-10-25 in Paris: first at +02:00 (00:30Z).
    expect(zonedToInstant('2026-10-25T02:30', 'Europe/Paris')?.toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });
});
