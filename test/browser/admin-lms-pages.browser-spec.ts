import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { AuthService } from '../../src/auth/auth.service';
import { InvitationService } from '../../src/auth/invitation.service';
import { Role } from '../../src/generated/prisma/enums';
import { deleteIntegrations } from '../support/lms';
import { accessibilityProblems, BrowserStack, screenshot, type Student } from './browser-stack';

/**
 * The LMS administration pages in a real browser: admins only (a student gets the 403 page);
 * integrations created with their secrets shown once, rotated, a 410-disabled endpoint flagged
 * and re-enabled; the delivery log with its redeliver button; LTI platforms registered with
 * French errors next to the field.
 */
describe('LMS admin pages in a browser', () => {
  const stack = new BrowserStack();
  let admin: Student;
  let student: Student;
  const admins: string[] = [];
  const integrationIds: string[] = [];
  const platformIds: string[] = [];

  beforeAll(async () => {
    await stack.start();
    student = await stack.student();
    const email = `admin-${randomBytes(4).toString('hex')}@lycee.test`;
    const password = `mot-de-passe-${randomBytes(6).toString('hex')}`;
    const user = await new AuthService(stack.prisma).createUser({ email, role: Role.admin });
    admins.push(user.id);
    await new InvitationService(stack.prisma, stack.env).setPassword(user.id, password);
    admin = { id: user.id, email, password };
  });
  afterAll(async () => {
    if (stack.prisma) {
      await deleteIntegrations(stack.prisma, integrationIds);
      await stack.prisma.ltiPlatform.deleteMany({ where: { id: { in: platformIds } } });
      await stack.prisma.user.deleteMany({ where: { id: { in: admins } } });
    }
    await stack.stop();
  });

  const expectAccessible = async (page: Page) => expect(await accessibilityProblems(page)).toEqual([]);

  it('answers a student with the 403 page', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, student);
    for (const path of ['/admin/integrations', '/admin/lti']) {
      const res = await page.goto(`${stack.url}${path}`);
      expect(res?.status()).toBe(403);
      await expect(page.locator('h1').textContent()).resolves.toMatch(/Action refusée/);
    }
    await context.close();
  });

  it('creates an integration (secrets shown once), rotates them, flags a 410-disabled endpoint', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, admin);
    await page.goto(`${stack.url}/admin/integrations`);
    await expectAccessible(page);
    await page.getByLabel('Nom').fill('Moodle du lycée');
    await page.getByLabel('Adresse des webhooks (facultatif)').fill('pas une adresse');
    await page.getByRole('button', { name: 'Créer l’intégration' }).click();
    await expect(page.locator('#webhookUrl-error').textContent()).resolves.toMatch(/Adresse invalide/);
    expect(await page.getByLabel('Nom').inputValue()).toBe('Moodle du lycée');

    await page.getByLabel('Adresse des webhooks (facultatif)').fill('https://moodle.lycee.test/dockgrader');
    await page.getByRole('button', { name: 'Créer l’intégration' }).click();
    await expect(page.getByText('ne seront plus jamais affichés', { exact: false }).count()).resolves.toBe(1);
    const id = (await page.locator('[data-secret="id"]').textContent())!;
    integrationIds.push(id);
    const first = (await page.locator('[data-secret="webhook"]').textContent())!;
    expect(first).toMatch(/^whsec_/);
    await screenshot(page, 'admin-01-integration-secrets');
    await expectAccessible(page);

    await page.goto(`${stack.url}/admin/integrations`);
    const row = page.locator(`tr[data-integration="${id}"]`);
    expect(await row.textContent()).not.toContain(first); // never shown again
    await row.getByRole('button', { name: 'Changer les secrets' }).click();
    const second = (await page.locator('[data-secret="webhook"]').textContent())!;
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);

    await stack.prisma.integration.update({
      where: { id },
      data: {
        webhookDisabledAt: new Date(),
        webhookDisabledReason: '410 Gone from https://moodle.lycee.test/dockgrader',
      },
    });
    await page.goto(`${stack.url}/admin/integrations`);
    await expect(row.locator('[data-disabled-410]').textContent()).resolves.toMatch(/410 Gone/);
    await screenshot(page, 'admin-02-integrations');
    await row.getByRole('button', { name: 'Réactiver l’envoi' }).click();
    await page.waitForURL(`${stack.url}/admin/integrations`);
    expect(await row.locator('[data-disabled-410]').count()).toBe(0);
    await context.close();
  });

  it('lists deliveries, filters failed ones, and redelivers one', async () => {
    const integration = await stack.prisma.integration.create({
      data: {
        name: 'Script de l’école',
        inboundSecret: 'whsec_x',
        webhookSecret: 'whsec_y',
        webhookUrl: 'http://127.0.0.1:9/x',
      },
    });
    integrationIds.push(integration.id);
    const failed = await stack.prisma.webhookDelivery.create({
      data: {
        integrationId: integration.id,
        event: 'submission.graded',
        sequence: 1,
        body: '{}',
        status: 'failed',
        attempts: 1,
        lastStatus: 400,
        lastResponse: 'refusé',
        nextRetryAt: null,
        attemptLog: {
          create: [{ number: 1, startedAt: new Date(), durationMs: 12, httpStatus: 400, response: 'refusé' }],
        },
      },
    });
    const { context, page } = await stack.newPage();
    await stack.login(page, admin);
    await page.goto(`${stack.url}/admin/integrations/${integration.id}/deliveries?status=failed`);
    const row = page.locator(`tr[data-delivery="${failed.id}"]`);
    await expect(row.textContent()).resolves.toContain('Échec');
    await expectAccessible(page);
    await screenshot(page, 'admin-03-deliveries');
    await row.getByRole('button', { name: 'Renvoyer' }).click();
    await page.waitForURL(`${stack.url}/admin/integrations/${integration.id}/deliveries`);
    const after = await stack.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: failed.id } });
    expect(after.roundStart).toBe(1); // a new round of the schedule was started by the button
    await context.close();
  });

  it('registers an LTI platform, with French errors next to the field', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, admin);
    await page.goto(`${stack.url}/admin/lti`);
    await expect(page.getByText(`${stack.url}/lti/login`).count()).resolves.toBe(1);
    const clientId = `client-${randomBytes(3).toString('hex')}`;
    await page.getByLabel('Nom').fill('Moodle du lycée');
    await page.getByLabel('Émetteur (issuer)').fill('https://moodle.lycee.test');
    await page.getByLabel('Client ID').fill(clientId);
    await page.getByLabel('Deployment ID(s)').fill('1, 2');
    await page.getByLabel('URL d’authentification OIDC').fill('http://moodle.lycee.test/auth');
    await page.getByLabel('URL du jeton d’accès (OAuth 2)').fill('https://moodle.lycee.test/token');
    await page.getByLabel('URL des clés publiques (JWKS)').fill('https://moodle.lycee.test/certs');
    await page.getByRole('button', { name: 'Enregistrer la plateforme' }).click();
    await expect(page.locator('#authUrl-error').textContent()).resolves.toMatch(/https:\/\//);
    await expectAccessible(page);
    await page.getByLabel('URL d’authentification OIDC').fill('https://moodle.lycee.test/auth');
    await page.getByRole('button', { name: 'Enregistrer la plateforme' }).click();
    await page.waitForURL(/\/admin\/lti\?created=/);
    const created = await stack.prisma.ltiPlatform.findFirstOrThrow({ where: { clientId } });
    platformIds.push(created.id);
    expect(created.deploymentIds).toEqual(['1', '2']);
    await expect(page.locator(`tr[data-platform="${created.id}"]`).textContent()).resolves.toContain(clientId);
    await screenshot(page, 'admin-04-lti');
    await context.close();
  });
});
