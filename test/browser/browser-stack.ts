import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { AuthService } from '../../src/auth/auth.service';
import { InvitationService } from '../../src/auth/invitation.service';
import { loadEnv, type Env } from '../../src/config/env';
import { PrismaService } from '../../src/database/prisma.service';
import { Role } from '../../src/generated/prisma/enums';
import { suitePrefix } from '../support/api-app';
import { startWorker, stopProcess } from '../support/pipeline';
import { eventually, freePort, root, startBuilt } from '../support/processes';

/** Flags for Debian's Chromium on a machine without network (shared/notes/environment.md). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where each run's screenshots go (gitignored), to be looked at by a person. */
export const SCREENSHOT_DIR = process.env.BROWSER_SCREENSHOTS ?? join(root, 'test-results', 'screenshots');

export interface Student {
  id: string;
  email: string;
  password: string;
}

/**
 * The service as operators run it (dist/main.js and dist/worker.js as processes, on this run's
 * database and a Redis prefix of its own) and one headless Chromium.
 */
export class BrowserStack {
  url = '';
  browser!: Browser;
  prisma!: PrismaService;
  env!: Env;
  private api?: ReturnType<typeof startBuilt>;
  private worker?: ReturnType<typeof startWorker>;
  private readonly users: string[] = [];

  async start(extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    const prefix = suitePrefix('browser');
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const env = { REDIS_PREFIX: prefix, PORT: String(port), PUBLIC_URL: this.url, LOG_LEVEL: 'warn', ...extraEnv };
    this.env = loadEnv({ ...process.env, ...env });
    this.prisma = new PrismaService(this.env);
    this.api = startBuilt('main', env);
    this.worker = startWorker({ ...env, WORKER_CONCURRENCY: '2', SANDBOX_POOL_SIZE: '0' });
    await eventually(async () => {
      const res = await fetch(`${this.url}/health`);
      if (res.status !== 200) throw new Error(`health ${res.status}`);
    }, 60_000).catch((err: unknown) => {
      throw new Error(`api did not start: ${String(err)}\n${this.api?.output()}`);
    });
    this.browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  }

  async stop(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    if (this.worker) await stopProcess(this.worker);
    if (this.api) await stopProcess(this.api);
    if (this.prisma) {
      // Suites share the run's database: what this one made goes with it.
      await this.prisma.submission.deleteMany({ where: { userId: { in: this.users } } });
      await this.prisma.user.deleteMany({ where: { id: { in: this.users } } });
      await this.prisma.$disconnect();
    }
  }

  apiOutput(): string {
    return this.api?.output() ?? '';
  }

  /** A student (or another role) with a password, created as `npm run admin -- create-user --password-stdin` does. */
  async student(role: Role = Role.student): Promise<Student> {
    const email = `${role === Role.student ? 'eleve' : role}-${randomBytes(4).toString('hex')}@lycee.test`;
    const password = `mot-de-passe-${randomBytes(6).toString('hex')}`;
    const user = await new AuthService(this.prisma).createUser({ email, role });
    this.users.push(user.id);
    await new InvitationService(this.prisma, this.env).setPassword(user.id, password);
    return { id: user.id, email, password };
  }

  /** An invitation link for a new student, as `npm run admin -- invite` prints it. */
  async invitation(): Promise<{ email: string; link: string }> {
    const email = `invite-${randomBytes(4).toString('hex')}@lycee.test`;
    const inv = await new InvitationService(this.prisma, this.env).invite({ email });
    this.users.push(inv.userId);
    return { email, link: inv.link };
  }

  async newPage(width = 1280): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.browser.newContext({ viewport: { width, height: 900 }, locale: 'fr-FR' });
    const page = await context.newPage();
    return { context, page };
  }

  async login(page: Page, who: Student): Promise<void> {
    await page.goto(`${this.url}/login`);
    await page.getByLabel('Adresse e-mail').fill(who.email);
    await page.getByLabel('Mot de passe').fill(who.password);
    await Promise.all([page.waitForURL(`${this.url}/`), page.getByRole('button', { name: 'Se connecter' }).click()]);
  }
}

/** Elements sticking out of the viewport sideways (the page would scroll horizontally on a phone). */
export function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      // Inside a scrolling box (code blocks, the history table) is fine: the box scrolls, not the page.
      let scroller = el.parentElement;
      let contained = false;
      while (scroller && scroller !== document.body) {
        const o = getComputedStyle(scroller).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') contained = true;
        scroller = scroller.parentElement;
      }
      const style = getComputedStyle(el);
      // Its box, or its text spilling out of its box (a long word that does not wrap).
      const spills = style.overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0;
      if (!contained && r.width > 0 && (r.right > width + 1 || (spills && r.left + el.scrollWidth > width + 1)))
        out.push(`${el.tagName.toLowerCase()}.${String(el.className)} (${Math.round(r.left + el.scrollWidth)} px)`);
    }
    if (document.documentElement.scrollWidth > width + 1 && out.length === 0)
      out.push(`the document (${document.documentElement.scrollWidth} px)`);
    return out.slice(0, 5);
  });
}

/** Full-page screenshot, at desktop width and at 375 px (a phone), where nothing may stick out sideways. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  const size = page.viewportSize();
  if (size && size.width > 375) await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-375.png`), fullPage: true });
  const wide = await overflowing(page);
  if (size && size.width > 375) await page.setViewportSize(size);
  if (wide.length > 0) throw new Error(`${name}: wider than 375 px: ${wide.join(', ')}`);
}

/** Serious and critical accessibility violations of the page (axe-core, WCAG 2 A/AA rules). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
