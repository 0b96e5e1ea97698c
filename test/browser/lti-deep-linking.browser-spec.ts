import { LtiPlatform } from '../support/lti-platform';
import { accessibilityProblems, BrowserStack, screenshot } from './browser-stack';

const INSTRUCTOR = {
  sub: 'moodle-prof-navigateur',
  name: 'Claire Durand',
  roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
};

/**
 * Deep linking as a teacher's browser lives it: the platform's form posts the launch, the picker
 * opens signed in, the teacher picks an exercise, and the page script sends the signed answer back
 * to the platform at once (no second click), which accepts it.
 */
describe('LTI deep linking picker in a browser', () => {
  const stack = new BrowserStack();
  let platform: LtiPlatform;
  let platformId: string;

  beforeAll(async () => {
    await stack.start();
    platform = await LtiPlatform.start(stack.url);
    const { name, issuer, clientId, deploymentIds, authUrl, tokenUrl, jwksUrl } = platform.registration;
    platformId = (
      await stack.prisma.ltiPlatform.create({
        data: { name, issuer, clientId, deploymentIds, authUrl, tokenUrl, jwksUrl },
      })
    ).id;
  });
  afterAll(async () => {
    if (stack.prisma && platformId) {
      await stack.prisma.user.deleteMany({ where: { lmsId: `lti:${platformId}` } });
      await stack.prisma.ltiPlatform.deleteMany({ where: { id: platformId } });
    }
    await platform?.close();
    await stack.stop();
  });

  /** The instructor's browser posting the platform's deep linking launch, up to the picker. */
  async function openPicker(settings: { accept_multiple?: boolean }) {
    const form = await platform.launchForm(INSTRUCTOR, { deepLinking: settings });
    const { context, page } = await stack.newPage(375);
    // The platform's auto-posting page, as the LMS serves it in the teacher's browser.
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    await page.setContent(
      `<form method="post" action="${esc(form.action)}">` +
        Object.entries(form.fields)
          .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
          .join('') +
        '</form>',
    );
    await Promise.all([
      page.waitForURL(/\/lti\/deep-links\//),
      page.locator('form').evaluate((f: HTMLFormElement) => f.submit()),
    ]);
    return { context, page };
  }

  it('picks an exercise and returns to the platform by itself', async () => {
    const { context, page } = await openPicker({});
    await expect(page.locator('h1').textContent()).resolves.toContain('Choisir l’exercice');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'lti-01-deep-link-picker');

    const errors: string[] = [];
    // (The platform stand-in has no favicon: its 404 is not the tool's.)
    page.on(
      'console',
      (m) => void (m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text())),
    );
    await page.getByLabel(/hello-world/).check();
    await Promise.all([
      page.waitForURL(`${platform.url}/deep-link-return`),
      page.getByRole('button', { name: 'Ajouter à la plateforme' }).click(),
    ]);
    await expect(page.locator('body').textContent()).resolves.toContain('activité créée');
    expect(errors).toEqual([]); // e.g. a content security policy blocking the post
    expect(platform.refusedDeepLinks).toEqual([]);
    expect(platform.deepLinks.map((d) => d.contentItems[0].custom)).toEqual([{ exercise: 'hello-world' }]);
    await context.close();
  });

  it('picks several exercises when the platform accepts several, and returns them all', async () => {
    const { context, page } = await openPicker({ accept_multiple: true });
    await expect(page.locator('h1').textContent()).resolves.toContain('Choisir les exercices');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel(/hello-world/).check();
    await page.getByLabel(/three-databases/).check();
    await screenshot(page, 'lti-02-deep-link-picker-multiple');
    const before = platform.deepLinks.length;
    await Promise.all([
      page.waitForURL(`${platform.url}/deep-link-return`),
      page.getByRole('button', { name: 'Ajouter les exercices cochés à la plateforme' }).click(),
    ]);
    expect(platform.refusedDeepLinks).toEqual([]);
    expect(platform.deepLinks.slice(before).map((d) => d.contentItems.map((c) => c.custom))).toEqual([
      [{ exercise: 'hello-world' }, { exercise: 'three-databases' }],
    ]);
    await context.close();
  });
});
