import type { z } from 'zod';

/**
 * Turns zod issues into one readable line per problem, `checks[2].assert.container.state: …`.
 * Unions (an assertion is one of eleven shapes) report the branch the author meant — the one whose
 * shape fits the value — instead of zod's bare "Invalid input".
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], base: PropertyKey[] = []): string[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path];
    if (issue.code !== 'invalid_union' || !('errors' in issue) || issue.errors.length === 0) {
      return [`${formatPath(path)}: ${issue.message}`];
    }
    const fitting = issue.errors.filter((branch) => !branch.some(wrongShape));
    if (fitting.length > 0) return describeIssues(fitting[0], path);
    const unknown = new Set(issue.errors.flatMap((b) => b.flatMap((i) => (i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys : []))));
    const prefix = unknown.size > 0 ? `unknown key ${[...unknown].map((k) => `"${k}"`).join(', ')}; ` : '';
    return [`${formatPath(path)}: ${prefix}Invalid input: expected ${expectedShapes(issue.errors)}`];
  });
}

/** The value is not this branch's shape at all (another type, or an object with other keys). */
function wrongShape(i: z.core.$ZodIssue): boolean {
  if (i.code === 'unrecognized_keys' && i.path.length === 0) return true;
  if (i.code === 'invalid_type' && i.path.length === 0) return true;
  return i.code === 'invalid_type' && i.path.length === 1 && /received undefined/.test(i.message);
}

function expectedShapes(branches: z.core.$ZodIssue[][]): string {
  const types = new Set<string>();
  const keys = new Set<string>();
  for (const branch of branches) {
    for (const i of branch) {
      if (i.code === 'invalid_type' && i.path.length === 1 && /received undefined/.test(i.message)) keys.add(String(i.path[0]));
      else if (i.code === 'invalid_type' && i.path.length === 0 && i.expected !== 'object') types.add(i.expected);
    }
  }
  const parts = [...types];
  if (keys.size > 0) parts.push(`an object with one of the keys ${[...keys].join(', ')}`);
  return parts.length > 0 ? parts.join(', or ') : 'another shape';
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
