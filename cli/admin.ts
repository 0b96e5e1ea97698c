// First: lets the generated Prisma client's './x.js' imports load from TypeScript sources.
import './resolve-ts';
import { parseArgs } from 'node:util';
import { AuthService } from '../src/auth/auth.service';
import { InvitationService } from '../src/auth/invitation.service';
import { passwordProblem } from '../src/auth/password';
import { DomainError } from '../src/common/domain-error';
import { EnvError, loadEnv, type Env } from '../src/config/env';
import { PrismaService } from '../src/database/prisma.service';
import { checkDatabase, PreflightError } from '../src/startup/preflight';
import { createIntegrationSchema } from '../src/lms/integration.schemas';
import { IntegrationsService } from '../src/lms/integrations.service';
import { RetentionService } from '../src/data-care/retention.service';
import { UserDataService } from '../src/data-care/user-data.service';

const USAGE = `usage:
  npm run admin -- create-user --email EMAIL [--role student|instructor|admin] [--name "Display Name"] [--password-stdin]
  npm run admin -- create-token --email EMAIL [--token-name NAME]
  npm run admin -- invite --email EMAIL [--name "Display Name"]
  npm run admin -- create-integration --name NAME [--webhook-url URL] [--course CODE]...
  npm run admin -- export-user --email EMAIL          (RGPD access: everything stored, JSON on stdout)
  npm run admin -- erase-user --email EMAIL --yes     (RGPD erasure: anonymised, scores kept)
  npm run admin -- purge-transcripts --older-than-days N   (retention, once; RETENTION_DAYS does it every 6 h)
create-user and create-token print a new bearer token on stdout (shown once; only its hash is stored).
--password-stdin also sets the web password, read from standard input (first line), for scripts.
invite creates the student if new and prints a one-time link (valid INVITATION_DAYS days) with
which the student chooses a password. create-integration prints {"id", "inboundSecret",
"webhookSecret"} as JSON (docs/lms.md).`;

/** The validated environment, or 78 (EX_CONFIG) after printing the variable that is wrong. */
function envOrExitCode(): Env | number {
  try {
    return loadEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      process.stderr.write(`${err.message}\n`);
      return 78;
    }
    throw err;
  }
}

/** Reads the first line of standard input (the password, never an argument: it would show in ps). */
async function readStdinLine(): Promise<string> {
  let data = '';
  for await (const chunk of process.stdin) data += String(chunk);
  return data.split(/\r?\n/)[0];
}

/** Admin command line: users, tokens, passwords and invitations, directly in PostgreSQL (DATABASE_URL). */
export async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      role: { type: 'string', default: 'student' },
      name: { type: 'string' },
      'token-name': { type: 'string', default: 'cli' },
      'password-stdin': { type: 'boolean', default: false },
      'webhook-url': { type: 'string' },
      course: { type: 'string', multiple: true },
      yes: { type: 'boolean', default: false },
      'older-than-days': { type: 'string' },
    },
    strict: true,
  });
  if (command === 'create-integration') return createIntegration(values);
  if (['export-user', 'erase-user', 'purge-transcripts'].includes(command)) return dataCare(command, values);
  if (!['create-user', 'create-token', 'invite'].includes(command) || !values.email) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (!['student', 'instructor', 'admin'].includes(values.role)) {
    process.stderr.write(`--role must be student, instructor or admin\n${USAGE}\n`);
    return 2;
  }
  const env = envOrExitCode();
  if (typeof env === 'number') return env;
  try {
    await checkDatabase(env);
  } catch (err) {
    if (!(err instanceof PreflightError)) throw err;
    process.stderr.write(`admin: ${err.message}\n`);
    return 1;
  }
  const prisma = new PrismaService(env);
  const auth = new AuthService(prisma);
  const invitations = new InvitationService(prisma, env);
  try {
    if (command === 'invite') {
      const inv = await invitations.invite({ email: values.email, displayName: values.name });
      process.stderr.write(`invitation for ${inv.email}, valid until ${inv.expiresAt.toISOString()}\n`);
      process.stdout.write(`${inv.link}\n`);
      return 0;
    }
    let userId: string;
    if (command === 'create-user') {
      const password = values['password-stdin'] ? await readStdinLine() : undefined;
      const problem = password === undefined ? undefined : passwordProblem(password);
      if (problem) {
        process.stderr.write(`password: ${problem}\n`);
        return 1;
      }
      const user = await auth.createUser({
        email: values.email,
        displayName: values.name,
        role: values.role as 'student' | 'instructor' | 'admin',
      });
      if (password !== undefined) await invitations.setPassword(user.id, password);
      process.stderr.write(`created ${user.role} ${user.email} (${user.id})${password ? ' with a password' : ''}\n`);
      userId = user.id;
    } else {
      const user = await prisma.user.findUnique({ where: { email: values.email }, select: { id: true } });
      if (!user) {
        process.stderr.write(`no user with email ${values.email}\n`);
        return 1;
      }
      userId = user.id;
    }
    const { token } = await auth.issueToken(userId, values['token-name']);
    process.stdout.write(`${token}\n`);
    return 0;
  } catch (err) {
    if (err instanceof DomainError) {
      process.stderr.write(`${err.details.fields?.map((f) => `${f.field}: ${f.message}`).join('\n') ?? err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await prisma.$disconnect();
  }
}

/** `create-integration`: validated like the admin API, secrets printed once as JSON for scripts. */
async function createIntegration(values: {
  name?: string;
  'webhook-url'?: string;
  course?: string[];
}): Promise<number> {
  const parsed = createIntegrationSchema.safeParse({
    name: values.name,
    webhookUrl: values['webhook-url'],
    courses: values.course ?? [],
  });
  if (!parsed.success) {
    const flag = (path: PropertyKey[]) =>
      ({ name: '--name', webhookUrl: '--webhook-url', courses: '--course' })[String(path[0])] ?? String(path[0]);
    for (const issue of parsed.error.issues) process.stderr.write(`${flag(issue.path)}: ${issue.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const env = envOrExitCode();
  if (typeof env === 'number') return env;
  const prisma = new PrismaService(env);
  try {
    const created = await new IntegrationsService(prisma).create(parsed.data);
    process.stdout.write(`${JSON.stringify(created)}\n`);
    process.stderr.write(`created integration ${parsed.data.name} (${created.id})\n`);
    return 0;
  } finally {
    await prisma.$disconnect();
  }
}

/** `export-user`, `erase-user`, `purge-transcripts`: RGPD rights and retention (src/data-care/). */
async function dataCare(
  command: string,
  values: { email?: string; yes?: boolean; 'older-than-days'?: string },
): Promise<number> {
  const days = Number(values['older-than-days']);
  if (command === 'purge-transcripts' && !(Number.isInteger(days) && days >= 1)) {
    process.stderr.write(`--older-than-days must be a whole number of days, at least 1\n${USAGE}\n`);
    return 2;
  }
  if (command !== 'purge-transcripts' && !values.email) {
    process.stderr.write(`--email is required\n${USAGE}\n`);
    return 2;
  }
  if (command === 'erase-user' && !values.yes) {
    process.stderr.write('erase-user cannot be undone: add --yes to confirm\n');
    return 2;
  }
  const env = envOrExitCode();
  if (typeof env === 'number') return env;
  try {
    await checkDatabase(env);
  } catch (err) {
    if (!(err instanceof PreflightError)) throw err;
    process.stderr.write(`admin: ${err.message}\n`);
    return 1;
  }
  const prisma = new PrismaService(env);
  try {
    if (command === 'purge-transcripts') {
      const report = await new RetentionService(prisma).purgeTranscripts(days);
      process.stderr.write(
        `${report.results} transcripts emptied (submissions before ${report.before.toISOString()})\n`,
      );
      return 0;
    }
    const user = await prisma.user.findUnique({ where: { email: values.email }, select: { id: true } });
    if (!user) {
      process.stderr.write(`no user with email ${values.email}\n`);
      return 1;
    }
    const data = new UserDataService(prisma);
    if (command === 'export-user') {
      process.stdout.write(`${JSON.stringify(await data.exportUser(user.id), null, 2)}\n`);
      return 0;
    }
    const erased = await data.eraseUser(user.id);
    process.stderr.write(
      `user ${erased.userId} anonymised, ${erased.submissions} submissions kept without their content\n`,
    );
    return 0;
  } finally {
    await prisma.$disconnect();
  }
}
