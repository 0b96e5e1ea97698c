import { join } from 'node:path';
import { loadExercise, type LoadedExercise } from '../../src/exercises/exercise.loader';
import { Role } from '../../src/generated/prisma/enums';
import { ApiHarness, suitePrefix } from '../support/api-app';
import {
  type ApiWithPlatform,
  LtiPlatform,
  type PlatformUser,
  startApiWithPlatform,
  stopApiWithPlatform,
} from '../support/lti-platform';
import { root } from '../support/processes';

const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';
const TEACHER: PlatformUser = {
  sub: 'moodle-prof-7',
  email: 'prof.durand@lycee.test',
  name: 'Claire Durand',
  roles: [`${MEMBERSHIP}Instructor`],
};
const OTHER_TEACHER: PlatformUser = { sub: 'moodle-prof-8', name: 'Marc Petit', roles: [`${MEMBERSHIP}Instructor`] };
const LEARNER: PlatformUser = { sub: 'moodle-eleve-9', name: 'Léa Martin' };

/**
 * LTI Deep Linking 2.0 over real HTTP: an instructor adding a dockgrader activity in the LMS is
 * launched into the picker (signed in), chooses an exercise, and the browser carries our signed
 * answer back to the platform, which verifies it against our JWKS and creates the activity; a
 * learner launched into that activity lands on the chosen exercise. Learners cannot open the
 * picker, one instructor cannot answer another's request, and an answer is sent once.
 */
describe('LTI deep linking: an instructor picks the exercise of a new activity', () => {
  let api: ApiHarness;
  let platform: LtiPlatform;
  let platformId: string;
  let hello: LoadedExercise;
  let started: ApiWithPlatform | undefined;

  beforeAll(async () => {
    hello = await loadExercise(join(root, 'exercises', 'hello-world'));
    started = await startApiWithPlatform(suitePrefix('lti-dl'));
    ({ api, platform, platformId } = started);
  });
  afterAll(() => stopApiWithPlatform(started ?? {}));

  const cookieOf = (res: Response) => /dg_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  /** A form post; a field given several times (checkboxes) as an array of pairs. */
  const post = (path: string, cookie: string, fields: Record<string, string> | [string, string][]) =>
    fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });

  /** An instructor's deep linking launch, up to the picker: its path, the session cookie, the CSRF token. */
  async function openPicker(user: PlatformUser, settings: Parameters<LtiPlatform['deepLink']>[1] = {}) {
    const { response } = await platform.deepLink(user, settings);
    expect(response.status).toBe(303);
    const path = response.headers.get('location')!;
    expect(path).toMatch(/^\/lti\/deep-links\/[0-9a-f-]{36}$/);
    const cookie = `dg_session=${cookieOf(response)}`;
    const page = await fetch(`${api.url}${path}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    return { path, cookie, html, csrf: csrfOf(html)! };
  }

  it('sends the chosen exercise back signed; the platform creates the activity and a learner lands on the exercise', async () => {
    const picker = await openPicker(TEACHER);
    // The picker lists the published catalogue, with each exercise's points.
    expect(picker.html).toContain('value="hello-world"');
    expect(picker.html).toContain(`${hello.maxScore} points`);
    expect(picker.html).toContain('Docker, premiers pas'); // the LMS course it is for
    const teacher = await api.prisma.user.findFirstOrThrow({
      where: { lmsId: `lti:${platformId}`, lmsUserId: TEACHER.sub },
    });
    expect(teacher.role).toBe(Role.instructor);

    // Without the form's CSRF token: refused, and the request is still pending.
    expect((await post(picker.path, picker.cookie, { exercise: 'hello-world' })).status).toBe(403);
    // A slug that is not in the list: the picker again, with the error, nothing sent.
    const unknown = await post(picker.path, picker.cookie, { _csrf: picker.csrf, exercise: 'pas-un-exercice' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('Choisissez un exercice de la liste.');

    const chosen = await post(picker.path, picker.cookie, { _csrf: picker.csrf, exercise: 'hello-world' });
    expect(chosen.status).toBe(200);
    const page = await chosen.text();
    const action = /<form method="post" action="([^"]+)" data-autosubmit/.exec(page)?.[1];
    expect(action).toBe(`${platform.url}/deep-link-return`);
    const jwt = /name="JWT" value="([^"]+)"/.exec(page)?.[1];
    expect(jwt).toBeDefined();

    // The browser posts it to the platform, which verifies it against the tool's published keys.
    const back = await fetch(action!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ JWT: jwt! }).toString(),
    });
    expect(platform.refusedDeepLinks).toEqual([]);
    expect(back.status).toBe(200);
    expect(platform.deepLinks).toHaveLength(1);
    const [created] = platform.deepLinks;
    expect(created.data).toBe('donnees-opaques-42');
    expect(created.contentItems).toEqual([
      {
        type: 'ltiResourceLink',
        title: hello.definition.title,
        url: `${api.url}/lti/launch`,
        custom: { exercise: 'hello-world' },
        lineItem: { scoreMaximum: hello.maxScore, label: hello.definition.title, resourceId: 'hello-world' },
      },
    ]);

    // Single use: the same request cannot be answered twice.
    expect((await post(picker.path, picker.cookie, { _csrf: picker.csrf, exercise: 'hello-world' })).status).toBe(404);
    expect((await fetch(`${api.url}${picker.path}`, { headers: { cookie: picker.cookie } })).status).toBe(404);

    // The activity the platform created from the answer launches learners into the exercise.
    const item = created.contentItems[0];
    const { response } = await platform.launch(LEARNER, {
      id: 'rl-from-deep-link',
      title: item.title,
      custom: item.custom,
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/exercises/hello-world');
  });

  it('adds several activities in one answer when the platform accepts several, and only then', async () => {
    const two = ['hello-world', 'three-databases'];
    const checks = (html: string) => [...html.matchAll(/<input\s+type="(checkbox|radio)"\s+name="exercise"/g)];

    // A platform that takes one activity at a time: radio buttons, and two choices are refused.
    const single = await openPicker(TEACHER);
    expect(new Set(checks(single.html).map((m) => m[1]))).toEqual(new Set(['radio']));
    const both = two.map((slug): [string, string] => ['exercise', slug]);
    const refused = await post(single.path, single.cookie, [['_csrf', single.csrf], ...both]);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('choisissez un seul exercice');

    // accept_multiple: checkboxes; nothing checked is refused and keeps the request, two make two activities.
    const multiple = await openPicker(TEACHER, { accept_multiple: true });
    expect(new Set(checks(multiple.html).map((m) => m[1]))).toEqual(new Set(['checkbox']));
    const none = await post(multiple.path, multiple.cookie, { _csrf: multiple.csrf });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('Choisissez un exercice de la liste.');
    const chosen = await post(multiple.path, multiple.cookie, [['_csrf', multiple.csrf], ...both]);
    expect(chosen.status).toBe(200);
    const page = await chosen.text();
    expect(page).toContain('2 exercices choisis');
    const jwt = /name="JWT" value="([^"]+)"/.exec(page)![1];
    const before = platform.deepLinks.length;
    const back = await fetch(`${platform.url}/deep-link-return`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ JWT: jwt }).toString(),
    });
    expect(back.status).toBe(200);
    expect(platform.refusedDeepLinks).toEqual([]);
    const created = platform.deepLinks.slice(before);
    expect(created).toHaveLength(1);
    const stored = await api.prisma.exercise.findMany({
      where: { slug: { in: two } },
      orderBy: { slug: 'asc' },
      select: { slug: true, title: true, maxPoints: true },
    });
    expect(stored).toHaveLength(2);
    expect(created[0].contentItems).toEqual(
      stored.map((e) => ({
        type: 'ltiResourceLink',
        title: e.title,
        url: `${api.url}/lti/launch`,
        custom: { exercise: e.slug },
        lineItem: { scoreMaximum: e.maxPoints, label: e.title, resourceId: e.slug },
      })),
    );
  });

  it('refuses the picker to a learner, and one instructor cannot answer another one’s request', async () => {
    const { response } = await platform.deepLink(LEARNER);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('seul un enseignant');
    expect(cookieOf(response)).toBeUndefined();

    const mine = await openPicker(TEACHER);
    const other = await openPicker(OTHER_TEACHER);
    expect((await fetch(`${api.url}${mine.path}`, { headers: { cookie: other.cookie } })).status).toBe(403);
    const stolen = await post(mine.path, other.cookie, { _csrf: other.csrf, exercise: 'hello-world' });
    expect(stolen.status).toBe(403);
    // Still the owner's to answer.
    expect((await post(mine.path, mine.cookie, { _csrf: mine.csrf, exercise: 'hello-world' })).status).toBe(200);
    // An id that names nothing (or is not an id): 404, never a 500.
    for (const id of ['00000000-0000-4000-8000-000000000000', 'pas-un-id', '%00'])
      expect((await fetch(`${api.url}/lti/deep-links/${id}`, { headers: { cookie: mine.cookie } })).status).toBe(404);
  });

  it('refuses a request whose platform accepts no activity link, and a return URL that is not https', async () => {
    const noLinks = await platform.deepLink(TEACHER, { accept_types: ['file', 'html'] });
    expect(noLinks.response.status).toBe(400);
    expect(await noLinks.response.text()).toContain('ltiResourceLink');
    const plain = await platform.deepLink(TEACHER, { deep_link_return_url: 'http://lms.example.org/return' });
    expect(plain.response.status).toBe(400);
    expect(await plain.response.text()).toContain('deep_link_return_url');
  });
});
