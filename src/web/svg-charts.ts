/**
 * Hand-made SVG charts rendered on the server: no chart library, no script, no CDN. A chart is an
 * image with a title and a text description (role="img", aria-labelledby), every bar carries its
 * number written above it and a tooltip; the page also gives the same numbers as a table.
 */
import { html, type VNode } from './views/html';

export interface HistogramBar {
  /** Full label of the bar (tooltip and description), e.g. "de 4 à 5 points". */
  label: string;
  count: number;
  /** Draws the bar in the second colour (e.g. after the deadline). */
  accent?: boolean;
}

export interface HistogramSpec {
  /** Prefix of the element ids (unique in the page). */
  id: string;
  title: string;
  /** Sentence before the per-bar numbers of the description. */
  summary: string;
  bars: HistogramBar[];
  /** Labels under the x axis at bar boundaries: `at` = 0 (left edge of the first bar) … bars.length. */
  ticks: { at: number; label: string }[];
  xLabel: string;
  /** Unit of the counts in the description and tooltips, singular and plural ("tentative"). */
  unit: [string, string];
  /** A dashed vertical line at a boundary, with its label (e.g. the deadline). */
  marker?: { at: number; label: string };
}

const WIDTH = 640;
const HEIGHT = 260;
const M = { top: 34, right: 16, bottom: 54, left: 16 };
/** Colours with at least 4.5:1 contrast on white (numbers are drawn in the text colour). */
const BAR = '#1d4ed8';
const BAR_ACCENT = '#b45309';
const TEXT = '#1f2937';
const AXIS = '#6b7280';

function countText(n: number, unit: [string, string]): string {
  return `${n} ${n > 1 ? unit[1] : unit[0]}`;
}

/** The text description of a histogram: the summary, then each non-empty bar's number. */
export function histogramDescription(spec: HistogramSpec): string {
  const parts = spec.bars.filter((b) => b.count > 0).map((b) => `${b.label} : ${countText(b.count, spec.unit)}`);
  return `${spec.summary} ${parts.length ? `${parts.join(' ; ')}.` : 'Aucune donnée.'}`;
}

/** A bar chart of counts, as an accessible SVG image that scales to its container's width. */
export function histogramSvg(spec: HistogramSpec): VNode {
  const n = Math.max(1, spec.bars.length);
  const plotW = WIDTH - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const step = plotW / n;
  const gap = Math.min(4, step * 0.15);
  const max = Math.max(1, ...spec.bars.map((b) => b.count));
  const x = (at: number) => M.left + at * step;
  const baseY = M.top + plotH;
  const titleId = `${spec.id}-titre`;
  const descId = `${spec.id}-desc`;
  const r = (v: number) => Math.round(v * 10) / 10;
  return html`<svg
    xmlns="http://www.w3.org/2000/svg"
    class="chart"
    viewBox=${`0 0 ${WIDTH} ${HEIGHT}`}
    role="img"
    aria-labelledby=${`${titleId} ${descId}`}
    data-chart=${spec.id}
  >
    <title id=${titleId}>${spec.title}</title>
    <desc id=${descId}>${histogramDescription(spec)}</desc>
    ${spec.bars.map((b, i) => {
      const h = (b.count / max) * plotH;
      const bx = r(x(i) + gap / 2);
      const bw = r(step - gap);
      return html`<g class="bar" data-count=${b.count} data-label=${b.label}>
        <title>${`${b.label} : ${countText(b.count, spec.unit)}`}</title>
        <rect x=${bx} y=${r(baseY - h)} width=${bw} height=${r(h)} fill=${b.accent ? BAR_ACCENT : BAR} />
        ${
          b.count > 0
            ? html`<text
                x=${r(bx + bw / 2)}
                y=${r(baseY - h - 6)}
                text-anchor="middle"
                font-size="13"
                font-weight="600"
                fill=${TEXT}
              >
                ${b.count}
              </text>`
            : null
        }
      </g>`;
    })}
    <line x1=${M.left} x2=${WIDTH - M.right} y1=${baseY} y2=${baseY} stroke=${AXIS} stroke-width="1" />
    ${spec.ticks.map(
      (t) =>
        html`<g aria-hidden="true">
          <line x1=${r(x(t.at))} x2=${r(x(t.at))} y1=${baseY} y2=${baseY + 5} stroke=${AXIS} />
          <text x=${r(x(t.at))} y=${baseY + 20} text-anchor="middle" font-size="12" fill=${TEXT}>${t.label}</text>
        </g>`,
    )}
    ${
      spec.marker
        ? html`<g aria-hidden="true">
            <line
              x1=${r(x(spec.marker.at))}
              x2=${r(x(spec.marker.at))}
              y1=${M.top - 12}
              y2=${baseY}
              stroke=${TEXT}
              stroke-width="1.5"
              stroke-dasharray="5 4"
            />
            <text x=${r(x(spec.marker.at))} y=${M.top - 18} text-anchor="middle" font-size="12" fill=${TEXT}>
              ${spec.marker.label}
            </text>
          </g>`
        : null
    }
    <text x=${WIDTH / 2} y=${HEIGHT - 8} text-anchor="middle" font-size="12" fill=${TEXT} aria-hidden="true">
      ${spec.xLabel}
    </text>
  </svg>`;
}
