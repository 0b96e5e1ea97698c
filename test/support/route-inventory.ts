import type { NestExpressApplication } from '@nestjs/platform-express';

/** One route as Express will dispatch it: `GET /api/submissions/:id`. */
export type RouteKey = `${Uppercase<string>} /${string}`;

interface Layer {
  name?: string;
  route?: { path: string; methods: Record<string, boolean> };
  match?: (path: string) => boolean;
}

/**
 * Every route the running api answers, read from Express's router after Nest registered its
 * controllers: a new controller, page or method appears here without anyone listing it, so a test
 * comparing this list with its declared rules fails until the new route is given one. Nest's own
 * catch-all (every method, `{/*splat}`) is left out; sub-apps mounted with `app.use(path, …)` (the
 * queue dashboard, the OpenAPI page) are reported as mounts, matched against `knownMounts`.
 */
export function routeInventory(
  app: NestExpressApplication,
  knownMounts: string[],
): { routes: RouteKey[]; unknownMounts: string[] } {
  const express = app.getHttpAdapter().getInstance() as { router?: { stack: Layer[] }; _router?: { stack: Layer[] } };
  const stack = (express.router ?? express._router)!.stack;
  const routes = new Set<RouteKey>();
  const unknownMounts: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m]);
      if (methods.length > 10) continue; // Nest's not-found handler: every method, every path
      for (const m of methods) routes.add(`${m.toUpperCase()} ${layer.route.path}` as RouteKey);
    } else if (layer.name === 'mounted_app' || layer.name === 'router') {
      if (!knownMounts.some((mount) => layer.match?.(mount))) unknownMounts.push(layer.name);
    }
  }
  return { routes: [...routes].sort(), unknownMounts };
}
