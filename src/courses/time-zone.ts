/**
 * Wall-clock times in a course's time zone (IANA name) ↔ instants, with Intl only. Instructors type
 * deadlines as `datetime-local` values in the course's zone; students read them in theirs.
 */

/** True when Intl knows the zone (e.g. Europe/Paris). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const partsFormat = new Map<string, Intl.DateTimeFormat>();
function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = partsFormat.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormat.set(zone, f);
  }
  return f;
}

function wallClock(
  instant: Date,
  zone: string,
): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const p = Object.fromEntries(
    formatterFor(zone)
      .formatToParts(instant)
      .map((x) => [x.type, x.value]),
  );
  return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour, mi: +p.minute, s: +p.second };
}

/** Offset of `zone` from UTC at `instant`, in ms (Paris in winter: +3 600 000). */
function offsetAt(instant: Date, zone: string): number {
  const w = wallClock(instant, zone);
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * The instant a `datetime-local` value (YYYY-MM-DDTHH:mm) names in `zone`; undefined when the text
 * is not one. In the autumn overlap the earlier instant is taken; a spring-gap time moves forward.
 */
export function zonedToInstant(local: string, zone: string): Date | undefined {
  const m = LOCAL.exec(local);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  const naive = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(naive);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59) return undefined;
  // The offset depends on the instant sought: try the offsets in force a day before and after
  // (they differ around a change) and keep the candidates that read back as the wall time asked.
  const offsets = new Set([offsetAt(new Date(naive - 86_400_000), zone), offsetAt(new Date(naive + 86_400_000), zone)]);
  const candidates = [...offsets].map((o) => naive - o);
  const exact = candidates.filter((c) => sameWallClock(new Date(c), zone, naive));
  // Autumn overlap: two instants match, take the earlier. Spring gap: none does, move forward.
  return new Date(exact.length ? Math.min(...exact) : Math.max(...candidates));
}

function sameWallClock(instant: Date, zone: string, naiveUtc: number): boolean {
  const w = wallClock(instant, zone);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) === naiveUtc;
}

/** The `datetime-local` value (YYYY-MM-DDTHH:mm) of an instant in `zone`. */
export function instantToZoned(instant: Date, zone: string): string {
  const w = wallClock(instant, zone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${w.y}-${two(w.mo)}-${two(w.d)}T${two(w.h)}:${two(w.mi)}`;
}

/** A date as people read it, in French, in `zone` (e.g. « 4 déc. 2026, 18:00 »), with the zone named. */
export function formatInZone(instant: Date, zone: string): string {
  return new Intl.DateTimeFormat('fr-FR', {
    timeZone: zone,
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(instant);
}
