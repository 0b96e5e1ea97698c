import { h, type VNode } from 'preact';
import htm from 'htm';
import { render } from 'preact-render-to-string';

/**
 * Views are typed TypeScript functions returning preact trees written with htm tagged templates:
 * no JSX compile step, so the same code runs under tsc (nest build), swc (jest) and the CLI's
 * loader; preact-render-to-string escapes every text and attribute value, so a submission's
 * output is always shown as text. The only raw HTML is the exercise Markdown (src/web/markdown.ts).
 */
export const html = htm.bind(h) as (strings: TemplateStringsArray, ...values: unknown[]) => VNode;

export type { VNode };

/** A whole HTML document. */
export function renderDocument(tree: VNode): string {
  return `<!doctype html>${render(tree)}`;
}
