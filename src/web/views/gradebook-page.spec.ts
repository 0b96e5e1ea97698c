import type { Gradebook, GradebookCell } from '../../courses/gradebook.service';
import { gradebookPage } from './gradebook-page';
import { renderDocument } from './html';

const user = { email: 'prof@lycee.fr', csrfToken: 't', staff: true };
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A course of `students` × `assignments`: every cell graded, 10 attempts, 2 practice, late. */
function book(students: number, assignments: number, cell: Partial<GradebookCell> = {}): Gradebook {
  const as = Array.from({ length: assignments }, (_, i) => ({
    id: uuid(1000 + i),
    exercise: `ex-${i}`,
    title: `Exercice ${i}`,
    maxPoints: 16,
    dueAt: new Date('2026-12-01T10:00:00Z'),
    lateUntil: null,
    lateCredit: 0.5,
    counted: 'best' as const,
  }));
  const full: GradebookCell = {
    counted: 12,
    attempts: 10,
    late: true,
    practice: 2,
    errors: 0,
    pending: 0,
    countedSubmissionId: uuid(1),
    ...cell,
  };
  const rows = Array.from({ length: students }, (_, i) => ({
    userId: uuid(i),
    email: `eleve-${i}@lycee.test`,
    name: `Élève ${i}`,
    group: 'TP1',
    cells: Object.fromEntries(as.map((a) => [a.id, full])),
    total: 12 * assignments,
  }));
  return {
    course: { id: uuid(9999), code: 'DOCKER-1', title: 'Docker', term: '2026', timeZone: 'Europe/Paris' },
    assignments: as,
    rows,
    assignmentTotals: {},
    maxTotal: 16 * assignments,
  };
}

const render = (b: Gradebook) => renderDocument(gradebookPage({ user, book: b, query: { sort: 'name', dir: 'asc' } }));

describe('gradebook page', () => {
  it('writes a cell as its points (the link to its attempts), the attempts and its marks, explained once in a legend', () => {
    const page = render(book(1, 1));
    expect(page).toContain(
      `<td class="gb-s3"><a href="/courses/DOCKER-1/gradebook/${uuid(1000)}/${uuid(0)}">12</a> <small>10 tent.</small><b>retard · 2 entr.</b></td>`,
    );
    expect(page).toMatch(/<table class="gb-table" data-testid="gradebook" aria-describedby="gb-legend">/);
    expect(page).toMatch(/<dl class="gb-legend small" id="gb-legend">.*<dt>entr\.<\/dt>/s);
    expect(page).toContain('les tentatives. «\u00a0—\u00a0»\u00a0: aucune tentative.');
    // No per-cell title: the legend says it once.
    expect(/<tbody>.*<\/tbody>/s.exec(page)![0]).not.toContain('title=');
  });

  it('marks nothing on an ordinary cell, and shows a dash for a student who never tried', () => {
    expect(render(book(1, 1, { late: false, practice: 0 }))).toContain('<small>10 tent.</small></td>');
    expect(render(book(1, 1, { attempts: 0, counted: null }))).toContain('<td class="gb-none">—</td>');
  });

  it('weighs under half of what it did on a 300 × 20 course (2.8 MB, about 470 bytes a cell, with titles)', () => {
    const bytes = Buffer.byteLength(render(book(300, 20)));
    expect(bytes / 6000).toBeLessThan(235);
  });
});
