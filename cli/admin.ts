// First: lets the generated Prisma client's './x.js' imports load from TypeScript sources.
import './resolve-ts';
import { parseArgs } from 'node:util';
import { AuthService } from '../src/auth/auth.service';
import { DomainError } from '../src/common/domain-error';
import { EnvError, loadEnv, type Env } from '../src/config/env';
import { PrismaService } from '../src/database/prisma.service';

const USAGE = `usage:
  npm run admin -- create-user --email EMAIL [--role student|instructor|admin] [--name "Display Name"]
  npm run admin -- create-token --email EMAIL [--token-name NAME]
Prints the new bearer token on stdout (shown once; only its hash is stored).`;

/** Admin command line: creates users and tokens directly in PostgreSQL (DATABASE_URL). */
export async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      role: { type: 'string', default: 'student' },
      name: { type: 'string' },
      'token-name': { type: 'string', default: 'cli' },
    },
    strict: true,
  });
  if ((command !== 'create-user' && command !== 'create-token') || !values.email) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (!['student', 'instructor', 'admin'].includes(values.role)) {
    process.stderr.write(`--role must be student, instructor or admin\n${USAGE}\n`);
    return 2;
  }
  let env: Env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      process.stderr.write(`${err.message}\n`);
      return 78;
    }
    throw err;
  }
  const prisma = new PrismaService(env);
  const auth = new AuthService(prisma);
  try {
    let userId: string;
    if (command === 'create-user') {
      const user = await auth.createUser({
        email: values.email,
        displayName: values.name,
        role: values.role as 'student' | 'instructor' | 'admin',
      });
      process.stderr.write(`created ${user.role} ${user.email} (${user.id})\n`);
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
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await prisma.$disconnect();
  }
}
