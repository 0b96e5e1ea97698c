import { histogramDescription, histogramSvg, type HistogramSpec } from './svg-charts';
import { renderDocument } from './views/html';
import { CLAMP_HOURS, median, scoreBins, timeBins } from '../courses/assignment-report.service';

const spec: HistogramSpec = {
  id: 'h',
  title: 'Répartition <des> notes',
  summary: '3 élèves.',
  bars: [
    { label: 'de 0 à 5', count: 1 },
    { label: 'de 5 à 10', count: 0 },
    { label: 'note maximale', count: 2, accent: true },
  ],
  ticks: [{ at: 0, label: '0' }],
  xLabel: 'Note',
  unit: ['élève', 'élèves'],
  marker: { at: 1, label: 'échéance' },
};

describe('histogramSvg', () => {
  it('is an image named by its title and described by every non-empty bar, numbers written above the bars', () => {
    const svg = renderDocument(histogramSvg(spec));
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-labelledby="h-titre h-desc"');
    expect(svg).toContain('<title id="h-titre">Répartition &lt;des> notes</title>');
    expect(histogramDescription(spec)).toBe('3 élèves. de 0 à 5 : 1 élève ; note maximale : 2 élèves.');
    expect([...svg.matchAll(/<rect /g)]).toHaveLength(3);
    // Counts are written for the non-empty bars only; the tallest bar fills the plot height.
    expect([...svg.matchAll(/font-weight="600"[^>]*>\s*(\d+)\s*</g)].map((m) => m[1])).toEqual(['1', '2']);
    expect(svg).toMatch(/height="172"/);
    expect(svg).toContain('#b45309');
    expect(svg).toContain('échéance');
  });
});

describe('report bins', () => {
  it('puts full marks apart and the rest in tenths of the maximum', () => {
    expect(scoreBins([0, 0.3, 2.99, 3, 15, 16, 16], 16).map((b) => b.count)).toEqual([2, 2, 0, 0, 0, 0, 0, 0, 0, 1, 2]);
    expect(scoreBins([0.3 * 10, 9.9999], 10).map((b) => b.count)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]);
  });

  it('counts a submission at the due date as before it, picks the smallest width giving 24 bins at most, clamps outliers', () => {
    expect(timeBins([0, 0.5, -0.5]).bins).toEqual([
      { from: -1, to: 0, count: 2 },
      { from: 0, to: 1, count: 1 },
    ]);
    expect(timeBins([-23, 0]).binHours).toBe(1);
    expect(timeBins([-24, 0]).binHours).toBe(2);
    const far = timeBins([-10_000, 1, 10_000]);
    expect(far).toMatchObject({ binHours: 168, clampedBefore: 1, clampedAfter: 1 });
    expect(far.bins[0].from).toBe(-CLAMP_HOURS - 168);
    expect(far.bins.reduce((t, b) => t + b.count, 0)).toBe(3);
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(median([2, 1, 2, 1])).toBe(1.5);
    expect(median([3])).toBe(3);
    expect(median([])).toBeNull();
  });
});
