import { renderDocument } from './html';
import { containerState, submissionPage, withInlineCode, type SubmissionPageView } from './submission-page';
import { exercisePage } from './exercise-page';
import { formatScore } from './format';
import { errorPage } from './error-page';
import { regradePage } from './regrade-page';

const user = { email: 'eleve@lycee.fr', csrfToken: 'tok"en' };
const XSS = `<script>alert(1)</script><img src=x onerror="alert(2)">`;

function graded(overrides: Partial<SubmissionPageView> = {}): SubmissionPageView {
  return {
    user,
    id: '00000000-0000-4000-8000-000000000001',
    exercise: { slug: 'three-databases', title: `Trois bases ${XSS}` },
    status: 'graded',
    position: null,
    createdAt: new Date('2026-12-03T10:00:00Z'),
    startedAt: new Date('2026-12-03T10:00:01Z'),
    finishedAt: new Date('2026-12-03T10:00:06Z'),
    justSubmitted: false,
    result: {
      score: 7.5,
      maxScore: 20,
      exerciseVersion: 'abcdef0123456789',
      checks: [
        {
          id: 'a',
          title: XSS,
          passed: false,
          points: 0,
          maxPoints: 2,
          message: `Relancez avec \`docker logs\` ${XSS}`,
        },
      ],
      transcript: [
        {
          index: 0,
          line: 1,
          text: `echo '${XSS}'`,
          tty: false,
          exitCode: 0,
          output: XSS,
          stderr: `erreur ${XSS}`,
          truncated: false,
          durationMs: 12,
          state: {
            containers: [{ name: 'postgres', image: 'postgres', state: 'exited', exitCode: 1 }],
            images: [],
            volumes: [],
            networks: [],
          },
        },
      ],
      notices: [XSS],
    },
    ...overrides,
  };
}

describe('page views', () => {
  it('show everything a submission printed, and every feedback, as text', () => {
    const page = renderDocument(submissionPage(graded()));
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;script>alert(1)&lt;/script>');
    expect(page).toContain('<code>docker logs</code>');
    expect(page).toContain('postgres</code> (postgres) : arrêté, code 1');
    // stderr has its own block, as text too.
    expect(page).toContain('aria-label="Sortie d\'erreur (stderr)">erreur &lt;script>alert(1)&lt;/script>');
  });

  it("name every state a container can be in, in French (the engine's words are English)", () => {
    // Every state Docker reports (docker ps --filter status=…).
    const states = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
    const said = states.map((state) => containerState({ state, exitCode: 137 }));
    expect(said).toEqual([
      'créé, jamais démarré',
      'en redémarrage',
      'en marche',
      'en cours de suppression',
      'en pause',
      'arrêté, code 137',
      'hors service (dead)',
    ]);
    const page = renderDocument(
      submissionPage(
        graded({
          result: {
            ...graded().result!,
            transcript: [
              {
                ...graded().result!.transcript[0],
                state: {
                  containers: [{ name: 'redis', image: 'redis', state: 'paused', exitCode: 0 }],
                  images: [],
                  volumes: [],
                  networks: [],
                },
              },
            ],
          },
        }),
      ),
    );
    expect(page).toContain('redis</code> (redis) : en pause');
  });

  it('say, in French, when the transcript was removed by retention, keeping the score and the checks', () => {
    const base = graded().result!;
    const page = renderDocument(
      submissionPage(
        graded({ result: { ...base, transcript: [], transcriptPurgedAt: new Date('2026-12-01T10:00:00Z') } }),
      ),
    );
    expect(page).toContain('data-testid="transcript-purged"');
    expect(page).toContain('Le déroulé des commandes a été supprimé le');
    expect(page).toContain('<span data-testid="score">7,5 / 20</span>');
    expect(renderDocument(submissionPage(graded()))).not.toContain('transcript-purged');
  });

  it('put the score in data-testid="score" as "N / M"', () => {
    expect(renderDocument(submissionPage(graded()))).toContain('<span data-testid="score">7,5 / 20</span>');
    expect(formatScore(20, 20)).toBe('20 / 20');
  });

  it('show an infrastructure error as such, with no score', () => {
    const page = renderDocument(submissionPage(graded({ status: 'error', result: null })));
    expect(page).toContain('Erreur du service, cette tentative ne compte pas');
    expect(page).not.toContain('data-testid="score"');
  });

  it('refresh a page without JavaScript only while it is not final, and load no inline script', () => {
    const waiting = renderDocument(submissionPage(graded({ status: 'queued', result: null, position: 3 })));
    expect(waiting).toContain('<noscript><meta http-equiv="refresh" content="3"/></noscript>');
    expect(waiting).toContain('position 3');
    expect(renderDocument(submissionPage(graded()))).not.toContain('http-equiv="refresh"');
    expect(waiting).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('keep the typed text in the form and name the field in error', () => {
    const page = renderDocument(
      exercisePage({
        user,
        slug: 'three-databases',
        title: 't',
        chapterTitle: 'c',
        maxPoints: 20,
        instructionsHtml: '<p>consigne</p>',
        expectedFiles: ['Dockerfile'],
        source: `docker ps\n</textarea>${XSS}`,
        errors: { source: 'Ligne 2 refusée' },
      }),
    );
    expect(page).toContain('docker ps\n&lt;/textarea>&lt;script>');
    expect(page).toContain('aria-describedby="source-error"');
    expect(page).toContain('<p class="field-error" id="source-error">Ligne 2 refusée</p>');
    expect(page).toContain('value="tok&quot;en"');
  });

  it('turn `code` in feedback into code elements and nothing else', () => {
    expect(withInlineCode('a `b` c').length).toBe(3);
    expect(withInlineCode('pas de code')).toEqual(['pas de code']);
  });
});

describe('error pages', () => {
  it('show the request id on a 500, never details, and a French 404', () => {
    const page = renderDocument(errorPage(500, { requestId: 'req-42' }));
    expect(page).toContain('Erreur du service');
    expect(page).toContain('<code data-testid="request-id">req-42</code>');
    const notFound = renderDocument(errorPage(404, { requestId: 'req-43' }));
    expect(notFound).toContain('Page introuvable');
    expect(notFound).not.toContain('req-43');
  });
});

describe('regrade page', () => {
  const run = {
    id: '00000000-0000-4000-8000-000000000009',
    status: 'running' as const,
    version: 'original' as const,
    selector: { kind: 'exercise' as const, slug: 'hello-world' },
    total: 2,
    done: 1,
    changed: 1,
    skipped: 0,
    requestedBy: 'prof@lycee.fr',
    createdAt: new Date('2026-12-03T10:00:00Z'),
    finishedAt: null,
    more: 0,
    items: [
      {
        submissionId: '00000000-0000-4000-8000-000000000001',
        student: { id: 'u', email: 'eleve@lycee.fr', displayName: XSS },
        exercise: 'hello-world',
        outcome: 'graded' as const,
        version: 'v1',
        before: { score: 4, maxScore: 6, version: 'v1' },
        after: { score: 6, maxScore: 8, version: 'v2' },
        changed: true,
        checks: [
          {
            id: 'a',
            title: 'Conteneur lancé',
            before: { passed: true, points: 3 },
            after: { passed: true, points: 5 },
          },
        ],
      },
      {
        submissionId: '00000000-0000-4000-8000-000000000002',
        student: { id: 'u', email: 'eleve@lycee.fr', displayName: 'Élève' },
        exercise: 'hello-world',
        outcome: 'pending' as const,
        version: 'v1',
        before: { score: 6, maxScore: 6, version: 'v1' },
        after: null,
        changed: false,
        checks: [],
      },
    ],
  };

  it('shows progress with its live stream and no-JS refresh while running, and each grade before → after', () => {
    const page = renderDocument(regradePage({ user, run }));
    expect(page).toContain('data-regrade-events-url="/api/regrades/00000000-0000-4000-8000-000000000009/events"');
    expect(page).toContain('<meta http-equiv="refresh" content="3"/>');
    expect(page).toContain('<span data-testid="regrade-done">1</span> / <span data-testid="regrade-total">2</span>');
    expect(page).toContain('4 / 6');
    expect(page).toContain('6 / 8');
    expect(page).toContain('<strong>Conteneur lancé</strong> : réussie (3 pt) → réussie (5 pt)');
    expect(page).toContain('en attente');
    expect(page).toContain("version d'origine");
    expect(page).not.toContain('<script>alert');
  });

  it('stops streaming and refreshing once finished', () => {
    const page = renderDocument(regradePage({ user, run: { ...run, status: 'finished', done: 2 } }));
    expect(page).not.toContain('data-regrade-events-url');
    expect(page).not.toContain('http-equiv="refresh"');
    expect(page).toContain('Terminée : 2 sur 2 recorrigées, 1 note modifiée.');
  });
});
