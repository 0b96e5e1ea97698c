import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { loadEnv } from './src/config/env';

// Prisma's native schema engine cannot be downloaded on machines without internet access, so the
// CLI runs its WebAssembly engine over the pg driver adapter instead.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  engine: 'js',
  experimental: { adapter: true },
  async adapter() {
    const url = new URL(loadEnv().DATABASE_URL);
    // Discrete fields, not a connection string: with a bare URL the CLI's shadow database logic
    // would point at the real database.
    return new PrismaPg({
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username || 'postgres'),
      password: decodeURIComponent(url.password),
      database: url.pathname.slice(1) || 'postgres',
    });
  },
});
