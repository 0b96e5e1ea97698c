import MarkdownIt from 'markdown-it';

/**
 * Exercise instructions to HTML. `html: false` escapes any raw HTML in the Markdown, and
 * markdown-it's link validation refuses javascript:, vbscript: and data: URLs (except images), so
 * even an instruction file edited carelessly cannot inject script into the page.
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

// Links in instructions open outside the app without giving it the opener.
const defaultLinkOpen =
  md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('rel', 'noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

// Code blocks may scroll sideways: focusable, so a keyboard can scroll them (WCAG 2.1.1).
for (const rule of ['fence', 'code_block'] as const) {
  const original = md.renderer.rules[rule]!;
  md.renderer.rules[rule] = (...args) => original(...args).replace(/^<pre>/, '<pre tabindex="0">');
}

// The page's own title is the one <h1>: the instructions' headings move one level down.
md.core.ruler.push('demote_headings', (state) => {
  for (const t of state.tokens)
    if ((t.type === 'heading_open' || t.type === 'heading_close') && /^h[1-5]$/.test(t.tag))
      t.tag = `h${Number(t.tag[1]) + 1}`;
  return true;
});

const cache = new Map<string, string>();

/** Rendered instructions, cached by content (a handful of exercises, rendered on every page view). */
export function renderMarkdown(source: string): string {
  let out = cache.get(source);
  if (out === undefined) {
    out = md.render(source);
    if (cache.size > 500) cache.clear();
    cache.set(source, out);
  }
  return out;
}
