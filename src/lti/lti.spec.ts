import { createLtiPlatformSchema } from './lti-platform.schemas';
import { scoresUrl } from './ags-score.sender';
import { roleFromClaims } from './lti.claims';
import { exerciseSlugOf } from './lti-launch.service';
import { scoreBody } from './lti-score';

const CUSTOM = 'https://purl.imsglobal.org/spec/lti/claim/custom';
const TARGET = 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri';

describe('LTI helpers', () => {
  it('appends /scores to a line item URL and keeps its query string (Moodle puts the type there)', () => {
    expect(scoresUrl('https://moodle.test/mod/lti/services.php/2/lineitems/7/lineitem?type_id=1')).toBe(
      'https://moodle.test/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=1',
    );
    expect(scoresUrl('https://canvas.test/api/lti/courses/1/line_items/5/')).toBe(
      'https://canvas.test/api/lti/courses/1/line_items/5/scores',
    );
  });

  it('maps instructor roles to instructor and everything else to student', () => {
    expect(roleFromClaims(['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'])).toBe('instructor');
    expect(roleFromClaims(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty'])).toBe('instructor');
    expect(roleFromClaims(['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'])).toBe('student');
    expect(roleFromClaims(['http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator'])).toBe('student');
    expect(roleFromClaims(undefined)).toBe('student');
  });

  it('finds the exercise in the custom parameter first, else in the target link URI', () => {
    expect(exerciseSlugOf({ [CUSTOM]: { exercise: ' hello-world ' } })).toBe('hello-world');
    expect(exerciseSlugOf({ [TARGET]: 'https://grader.test/exercises/three-databases' })).toBe('three-databases');
    expect(exerciseSlugOf({ [CUSTOM]: { exercise: 'a' }, [TARGET]: 'https://x/exercises/b' })).toBe('a');
    expect(exerciseSlugOf({ [TARGET]: 'https://grader.test/lti/launch' })).toBeUndefined();
    expect(exerciseSlugOf({ [TARGET]: 'pas une url' })).toBeUndefined();
  });

  it('builds the AGS score body: FullyGraded, Completed, the grading time, passed checks in French', () => {
    const body = JSON.parse(
      scoreBody({
        userId: 'sub-1',
        score: 2,
        maxScore: 3,
        checks: [
          { id: 'a', passed: true },
          { id: 'b', passed: false, hidden: true, points: 0, maxPoints: 1 },
        ],
        gradedAt: new Date('2026-12-03T10:00:00.000Z'),
      }),
    );
    expect(body).toEqual({
      userId: 'sub-1',
      scoreGiven: 2,
      scoreMaximum: 3,
      comment: 'dockgrader : 1/2 vérification(s) réussie(s).',
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      timestamp: '2026-12-03T10:00:00.000Z',
    });
  });
});

describe('LTI platform registration input', () => {
  const valid = {
    name: 'Moodle',
    issuer: 'https://moodle.lycee.test',
    clientId: 'abc',
    deploymentIds: ['1'],
    authUrl: 'https://moodle.lycee.test/auth',
    tokenUrl: 'https://moodle.lycee.test/token',
    jwksUrl: 'https://moodle.lycee.test/jwks',
  };

  it('refuses a lone surrogate (PostgreSQL cannot store it) naming the field', () => {
    expect(createLtiPlatformSchema.safeParse(valid).success).toBe(true);
    const r = createLtiPlatformSchema.safeParse({ ...valid, clientId: '\ud800' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['clientId']);
  });
});
