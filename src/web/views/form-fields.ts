import { html, type VNode } from './html';

/** Messages next to the fields they concern, by field name; `form` for the whole form. */
export type FieldErrors = Record<string, string | undefined>;

export interface InputProps {
  name: string;
  label: string;
  type?: string;
  value?: string | number | null;
  errors?: FieldErrors;
  help?: string;
  required?: boolean;
  attrs?: Record<string, string | number | undefined>;
  /** Prefix of the element ids (default `f`): two forms on one page must not share ids. */
  idPrefix?: string;
}

/** A labelled input with its help and error text wired to aria-describedby. */
export function input(p: InputProps): VNode {
  const id = `${p.idPrefix ?? 'f'}-${p.name}`;
  const error = p.errors?.[p.name];
  const described = [p.help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return html`<div class="field">
    <label for=${id}>${p.label}</label>
    ${p.help ? html`<p class="small muted" id=${`${id}-help`}>${p.help}</p>` : null}
    <input
      id=${id}
      name=${p.name}
      type=${p.type ?? 'text'}
      value=${p.value ?? ''}
      required=${p.required}
      aria-invalid=${error ? 'true' : undefined}
      aria-describedby=${described}
      ...${p.attrs ?? {}}
    />
    ${error ? html`<p class="field-error" id=${`${id}-error`}>${error}</p>` : null}
  </div>`;
}

export function select(p: {
  name: string;
  label: string;
  options: { value: string; label: string }[];
  value?: string;
  errors?: FieldErrors;
}): VNode {
  const id = `f-${p.name}`;
  const error = p.errors?.[p.name];
  return html`<div class="field">
    <label for=${id}>${p.label}</label>
    <select
      id=${id}
      name=${p.name}
      aria-invalid=${error ? 'true' : undefined}
      aria-describedby=${error ? `${id}-error` : undefined}
    >
      ${p.options.map((o) => html`<option value=${o.value} selected=${o.value === p.value}>${o.label}</option>`)}
    </select>
    ${error ? html`<p class="field-error" id=${`${id}-error`}>${error}</p>` : null}
  </div>`;
}

export function csrf(token: string): VNode {
  return html`<input type="hidden" name="_csrf" value=${token} />`;
}

export function formAlert(errors?: FieldErrors): VNode | null {
  const names = Object.entries(errors ?? {}).filter(([, m]) => m);
  if (names.length === 0) return null;
  return html`<p class="alert alert-error" role="alert">
    ${errors?.form ?? 'Le formulaire contient des erreurs : corrigez les champs signalés ci-dessous.'}
  </p>`;
}
