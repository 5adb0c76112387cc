import {
  allowedFormats,
  resolvePlaceholder,
  scanPlaceholders,
  type Placeholder,
} from '../policy/placeholders.js';
import { CasError } from '../errors/cas-error.js';
import { RenderRefusal, renderFormat, type Rendered } from './render-format.js';
import type { SecretValue } from './secret-value.js';

/** Looks a secret value up by name (the session's secrets and its resolved imports). */
export type SecretLookup = (name: string) => SecretValue | undefined;

/**
 * Where the rendered text goes. `text` (argv, environment, working directory) cannot hold
 * NUL or arbitrary bytes, so raw binary formats are refused there; `file` content is bytes.
 */
export interface RenderOptions {
  readonly context: 'text' | 'file';
}

/**
 * Replaces every `$$SCONE::name[:format][|escape(json)]$$` in `text` with the secret's
 * rendering. Other `$$` text is kept. `|escape(json)` JSON-escapes the rendering without adding
 * quotes (text renderings only).
 *
 * @returns a string for the `text` context, a Buffer for the `file` context.
 * @throws CAS_SECRETS_RENDER_FAILED naming the placeholder (never a value) when a secret is
 *   unknown, a format is not allowed for its kind, a private key is absent, raw bytes would go
 *   into a text context, or a `$$SCONE::` opening is malformed.
 */
export function renderTemplate(
  text: string,
  lookup: SecretLookup,
  opts: { context: 'text' },
): string;
export function renderTemplate(
  text: string,
  lookup: SecretLookup,
  opts: { context: 'file' },
): Buffer;
export function renderTemplate(
  text: string,
  lookup: SecretLookup,
  opts: RenderOptions,
): string | Buffer;
export function renderTemplate(
  text: string,
  lookup: SecretLookup,
  opts: RenderOptions,
): string | Buffer {
  const { placeholders, malformed } = scanPlaceholders(text);
  const bad = malformed[0];
  if (bad !== undefined) {
    throw new CasError(
      'CAS_SECRETS_RENDER_FAILED',
      `malformed placeholder '${bad.raw}': expected $$SCONE::<secret>[:<format>][|escape(json)]$$`,
      { details: { placeholder: bad.raw } },
    );
  }
  if (placeholders.length === 0) return opts.context === 'text' ? text : Buffer.from(text, 'utf8');

  const pieces: Buffer[] = [];
  let out = '';
  let at = 0;
  for (const p of placeholders) {
    const literal = text.slice(at, p.index);
    const rendered = renderPlaceholder(p, lookup, opts);
    if (opts.context === 'text') {
      out += literal + (rendered as string);
    } else {
      pieces.push(Buffer.from(literal, 'utf8'), toBuffer(rendered));
    }
    at = p.index + p.raw.length;
  }
  const tail = text.slice(at);
  if (opts.context === 'text') return out + tail;
  pieces.push(Buffer.from(tail, 'utf8'));
  return Buffer.concat(pieces);
}

function toBuffer(r: string | Buffer): Buffer {
  return typeof r === 'string' ? Buffer.from(r, 'utf8') : r;
}

/** A text rendering as a string, a raw one (file context only) as a Buffer. */
function renderPlaceholder(
  p: Placeholder,
  lookup: SecretLookup,
  opts: RenderOptions,
): string | Buffer {
  const fail = (why: string, cause?: unknown): CasError =>
    new CasError('CAS_SECRETS_RENDER_FAILED', `placeholder '${p.raw}': ${why}`, {
      details: { placeholder: p.raw },
      ...(cause === undefined ? {} : { cause }),
    });
  // Shared with upload validation: `name.crt` means secret `name`, format `crt`, unless a secret
  // is literally named `name.crt`.
  const resolved = resolvePlaceholder(p, (name) => lookup(name) !== undefined);
  const value = resolved === null ? undefined : lookup(resolved.secret);
  if (resolved === null || value === undefined) {
    throw fail(`no secret '${p.secret}' is available to this service`);
  }
  const format = resolved.format;
  if (!allowedFormats(value.kind).includes(format)) {
    throw fail(`format '${format}' is not allowed for a ${value.kind} secret`);
  }
  let rendered: Rendered;
  try {
    rendered = renderFormat(value.reveal(), format);
  } catch (cause) {
    if (cause instanceof RenderRefusal) throw fail(cause.message);
    throw fail('the stored value could not be rendered', new Error('render error'));
  }
  if ('bytes' in rendered) {
    if (p.escape === 'json') throw fail('escape(json) needs a text format, not raw bytes');
    if (opts.context === 'text') {
      throw fail(
        'raw bytes cannot go into a command line, environment variable or working directory; use a text format such as :hex or :base64',
      );
    }
    return rendered.bytes;
  }
  const text = p.escape === 'json' ? jsonEscape(rendered.text) : rendered.text;
  if (opts.context === 'text' && text.includes('\0')) {
    throw fail('the rendering contains NUL, which a command line or environment cannot hold');
  }
  return text;
}

/** JSON string escaping without the surrounding quotes (`|escape(json)`). */
export function jsonEscape(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
