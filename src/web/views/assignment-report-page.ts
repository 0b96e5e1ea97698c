import type { AssignmentReport, ReportBin } from '../../courses/assignment-report.service';
import { formatInZone } from '../../courses/time-zone';
import { histogramSvg, type HistogramSpec } from '../svg-charts';
import { formatPoints, plural } from './format';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';
import { withInlineCode } from './submission-page';

export interface AssignmentReportPageView {
  user: PageUser;
  timeZone: string;
  report: AssignmentReport;
}

const percent = (n: number) => `${Math.round(n)} %`;
const decimal = (n: number) => (Math.round(n * 10) / 10).toString().replace('.', ',');

/** "−36 h", "0", "+12 h", or in days when the bins are whole days. */
export function hoursLabel(h: number, binHours: number): string {
  if (h === 0) return '0';
  const sign = h < 0 ? '−' : '+';
  const a = Math.abs(h);
  return binHours >= 24 && a % 24 === 0 ? `${sign}${a / 24} j` : `${sign}${a} h`;
}

/** The score bins as a histogram: ten intervals, then full marks apart. */
export function scoreChart(report: AssignmentReport): HistogramSpec {
  const max = report.assignment.maxPoints;
  const bins = report.scores.bins;
  return {
    id: 'histo-notes',
    title: `Répartition des notes retenues (sur ${formatPoints(max)} points)`,
    summary: `${plural(report.scores.graded, 'élève noté', 'élèves notés')} sur ${plural(report.students, 'inscrit', 'inscrits')}.`,
    bars: bins.map((b, i) => ({
      label: i === bins.length - 1 ? `note maximale (${formatPoints(max)})` : scoreBinLabel(b),
      count: b.count,
      accent: i === bins.length - 1,
    })),
    // Boundaries 0 … max; the last bar (its own colour) is exactly the maximum.
    ticks: bins.map((b, i) => ({ at: i, label: formatPoints(i === bins.length - 1 ? max : b.from) })),
    xLabel: 'Note retenue (points, pénalité de retard comprise)',
    unit: ['élève', 'élèves'],
  };
}

function scoreBinLabel(b: ReportBin): string {
  return `de ${formatPoints(b.from)} à moins de ${formatPoints(b.to)} points`;
}

function timeBinLabel(b: ReportBin, binHours: number): string {
  if (b.to <= 0) return `${hoursLabel(b.from, binHours)} à ${hoursLabel(b.to, binHours)} avant l'échéance`;
  return `${hoursLabel(b.from, binHours)} à ${hoursLabel(b.to, binHours)} après l'échéance`;
}

/** Submission times as a histogram in hours from the due date, with the due date marked. */
export function timeChart(report: AssignmentReport): HistogramSpec {
  const { bins, binHours } = report.timing;
  const every = Math.max(1, Math.ceil(bins.length / 8));
  const zeroAt = bins.findIndex((b) => b.from === 0);
  const dueAt = zeroAt >= 0 ? zeroAt : bins.length > 0 && bins[bins.length - 1].to === 0 ? bins.length : undefined;
  return {
    id: 'histo-temps',
    title: `Tentatives reçues par rapport à l'échéance (par tranches de ${binHours} h)`,
    summary: `${plural(report.timing.total, 'tentative reçue', 'tentatives reçues')}.`,
    bars: bins.map((b) => ({ label: timeBinLabel(b, binHours), count: b.count, accent: b.from >= 0 })),
    ticks: [...bins.map((b) => b.from), bins.length ? bins[bins.length - 1].to : 0]
      .map((h, i) => ({ at: i, label: hoursLabel(h, binHours), h }))
      .filter((t) => t.h === 0 || (t.at - (dueAt ?? 0)) % every === 0)
      .map(({ at, label }) => ({ at, label })),
    xLabel: "Heures avant (−) ou après (+) l'échéance",
    unit: ['tentative', 'tentatives'],
    marker: dueAt === undefined ? undefined : { at: dueAt, label: 'échéance' },
  };
}

/** The numbers of a chart as a table, for those who prefer them to the picture. */
function chartTable(spec: HistogramSpec, head: string): VNode {
  return html`<details class="chart-data">
    <summary>Les chiffres du graphique</summary>
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">${head}</th>
            <th scope="col">Nombre</th>
          </tr>
        </thead>
        <tbody>
          ${spec.bars.map(
            (b) =>
              html`<tr>
                <td>${b.label}</td>
                <td>${b.count}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </details>`;
}

function misconceptionTable(r: AssignmentReport): VNode {
  if (r.checks.length === 0) return html`<p class="muted">Aucune tentative corrigée pour l'instant.</p>`;
  return html`<div class="table-wrap mc-wrap">
    <table class="misconceptions" data-testid="misconceptions">
      <caption class="visually-hidden">
        Vérifications classées par nombre d'élèves qui les ont échouées, sur leur tentative retenue
      </caption>
      <thead>
        <tr>
          <th scope="col">Vérification</th>
          <th scope="col">Élèves en échec</th>
          <th scope="col">Retour donné aux élèves</th>
          <th scope="col">Exemple</th>
        </tr>
      </thead>
      <tbody>
        ${r.checks.map(
          (c) =>
            html`<tr data-check=${c.id}>
              <th scope="row">${c.title} ${c.hidden ? html`<span class="badge badge-muted">cachée</span>` : null}</th>
              <td class="num">
                <span class="mc-percent">${percent(c.percent)}</span>
                <span class="small muted"> (${c.failed} / ${c.evaluated})</span>
                <span class="mc-bar" aria-hidden="true"><span style=${`width:${Math.round(c.percent)}%`}></span></span>
              </td>
              <td>${c.failed > 0 ? withInlineCode(c.feedback) : html`<span class="muted">Réussie par tous</span>`}</td>
              <td>
                ${
                  c.exampleSubmissionId
                    ? html`<a href=${`/submissions/${c.exampleSubmissionId}`}
                        >Voir une tentative<span class="visually-hidden"> échouant « ${c.title} »</span></a
                      >`
                    : '—'
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** The sentence under the title, built as one string: htm trims text at line breaks, spaces included. */
function lead(r: AssignmentReport, zone: string): string {
  const a = r.assignment;
  const late = a.lateUntil
    ? `, retard accepté jusqu'au ${formatInZone(a.lateUntil, zone)} à ${percent(a.lateCredit * 100)} des points`
    : '';
  return (
    `Échéance le ${formatInZone(a.dueAt, zone)}${late}. ` +
    `${plural(r.submitted, 'élève a rendu', 'élèves ont rendu')} sur ${plural(r.students, 'inscrit', 'inscrits')}.`
  );
}

/** `/courses/:code/assignments/:id/report`: what the class scored, when it submitted, what it did not understand. */
export function assignmentReportPage(v: AssignmentReportPageView): VNode {
  const r = v.report;
  const a = r.assignment;
  const code = r.course.code;
  const scores = scoreChart(r);
  const times = timeChart(r);
  const t = r.timing;
  return layout({
    title: `Rapport : ${a.title}`,
    user: v.user,
    current: 'courses',
    head: html`<link rel="stylesheet" href="/assets/reports.css" />`,
    children: html`<nav class="breadcrumb" aria-label="Fil d'Ariane">
        <a href="/courses">Cours</a> <span aria-hidden="true">›</span>${' '}
        <a href=${`/courses/${code}`}>${r.course.title}</a> <span aria-hidden="true">›</span>${' '}
        <a href=${`/courses/${code}/gradebook`}>Carnet de notes</a>
      </nav>
      <h1>Rapport : ${a.title}</h1>
      <p class="lead">${lead(r, v.timeZone)}</p>
      <div class="report-grid">
        <section class="card" aria-labelledby="notes-title">
          <h2 id="notes-title">Notes</h2>
          <dl class="facts">
            <div>
              <dt>Moyenne</dt>
              <dd data-testid="mean">
                ${r.scores.mean === null ? '—' : `${decimal(r.scores.mean)} / ${formatPoints(a.maxPoints)}`}
              </dd>
            </div>
            <div>
              <dt>Médiane</dt>
              <dd>${r.scores.median === null ? '—' : `${decimal(r.scores.median)} / ${formatPoints(a.maxPoints)}`}</dd>
            </div>
            <div>
              <dt>Tentatives jusqu'à la note maximale (médiane)</dt>
              <dd data-testid="attempts-median">
                ${r.attemptsToFullMarks.median === null ? '—' : decimal(r.attemptsToFullMarks.median)}${' '}
                <span class="small muted">
                  (${plural(r.attemptsToFullMarks.students, 'élève', 'élèves')} à la note maximale)</span
                >
              </dd>
            </div>
          </dl>
          <figure class="chart-figure">
            ${histogramSvg(scores)}
            <figcaption class="small muted">La dernière barre, orange, compte les notes maximales.</figcaption>
          </figure>
          ${chartTable(scores, 'Note retenue')}
        </section>
        <section class="card" aria-labelledby="times-title">
          <h2 id="times-title">Tentatives et échéance</h2>
          <dl class="facts">
            <div>
              <dt>Tentatives reçues</dt>
              <dd data-testid="submissions-total">${t.total}</dd>
            </div>
            <div>
              <dt>À l'heure</dt>
              <dd>${t.onTime}</dd>
            </div>
            <div>
              <dt>En retard (points réduits)</dt>
              <dd>${t.late}</dd>
            </div>
            <div>
              <dt>Entraînement (hors délai ou tentatives épuisées)</dt>
              <dd>${t.practice}</dd>
            </div>
            ${
              t.errors
                ? html`<div>
                    <dt>Erreurs du service (ne comptent pas)</dt>
                    <dd>${t.errors}</dd>
                  </div>`
                : null
            }
            ${
              t.pending
                ? html`<div>
                    <dt>En cours de correction</dt>
                    <dd>${t.pending}</dd>
                  </div>`
                : null
            }
          </dl>
          ${
            t.total
              ? html`<figure class="chart-figure">
                    ${histogramSvg(times)}
                    <figcaption class="small muted">En orange : reçues après l'échéance.</figcaption>
                  </figure>
                  ${
                    t.clampedBefore || t.clampedAfter
                      ? html`<p class="small muted">
                          Les tentatives à plus de 4 semaines de l'échéance sont comptées dans la première ou la
                          dernière barre (${t.clampedBefore} avant, ${t.clampedAfter} après).
                        </p>`
                      : null
                  }
                  ${chartTable(times, 'Moment de réception')}`
              : html`<p class="muted">Aucune tentative reçue.</p>`
          }
        </section>
      </div>
      <section class="card" aria-labelledby="checks-title">
        <h2 id="checks-title">Ce que la classe n'a pas compris</h2>
        <p class="small muted">
          Vérifications classées par nombre d'élèves qui les échouent sur leur tentative retenue (celle qui compte dans
          le carnet de notes).${' '}
          <a href=${`/api/courses/${code}/assignments/${a.id}/checks.csv`} download
            >Télécharger le détail par élève (CSV)</a
          >
        </p>
        ${misconceptionTable(r)}
      </section>`,
  });
}
