import { applyTemplates, type TemplateOptions } from './apply-templates.js';
import { deepFreeze } from './deep-freeze.js';
import { IssueSink } from './issue-sink.js';
import { readSession } from './read-session.js';
import { SourceMap } from './source-map.js';
import type { PolicyIssue, Session } from './types.js';
import { parseYamlTree } from './yaml-tree.js';

/** Options of {@link parseSession}: where template variables come from. */
export type ParseOptions = TemplateOptions;

/** A normalised session with its warnings, or every problem found. */
export type ParseResult =
  | {
      readonly ok: true;
      readonly session: Session;
      readonly warnings: PolicyIssue[];
      /** The file after template substitution: what `scone session create` uploads. */
      readonly text: string;
    }
  | { readonly ok: false; readonly issues: PolicyIssue[] };

/** Largest session file: 1 MiB, before and after template substitution. */
export const MAX_SESSION_BYTES = 1024 * 1024;

/**
 * Parses, validates and normalises a session file (`docs/session-language.md`): template
 * variables, then YAML 1.2 (one document, unique keys, alias and depth limits), then
 * validation that collects every problem with its code, key path and line:column, then
 * normalisation (defaults, legacy forms, argv). Never throws on any input.
 */
export function parseSession(text: string, options: ParseOptions = {}): ParseResult {
  const identity = new SourceMap(text, [
    { outStart: 0, srcStart: 0, length: text.length, replaced: false },
  ]);
  if (Buffer.byteLength(text, 'utf8') > MAX_SESSION_BYTES) {
    return fail(
      identity,
      'CAS_POLICY_TOO_LARGE',
      `the file is larger than ${MAX_SESSION_BYTES} bytes`,
    );
  }
  const sub = applyTemplates(text, options);
  const map = new SourceMap(text, sub.segments);
  const sink = new IssueSink(map);
  for (const m of sub.missing) {
    sink.errorAtSource(
      'CAS_POLICY_TEMPLATE_VARIABLE_MISSING',
      '',
      m.offset,
      `template variable ${m.name} has no value: pass -e ${m.name}=VALUE or --use-env`,
    );
  }
  if (sub.missing.length > 0) return { ok: false, issues: sink.list() };
  if (Buffer.byteLength(sub.text, 'utf8') > MAX_SESSION_BYTES) {
    return fail(
      identity,
      'CAS_POLICY_TOO_LARGE',
      `the file is larger than ${MAX_SESSION_BYTES} bytes after template substitution`,
    );
  }
  let root;
  try {
    root = parseYamlTree(sub.text, sink);
  } catch (e) {
    // Only stack exhaustion on absurd nesting gets here; report it, never crash the caller.
    if (!(e instanceof RangeError)) throw e;
    sink.error('CAS_POLICY_TOO_COMPLEX', '', 0, 'the file nests too deeply to parse');
    root = null;
  }
  if (root === null) return { ok: false, issues: sink.list() };
  const session = readSession({ sink, text: sub.text }, root);
  if (session === null || sink.hasErrors) return { ok: false, issues: sink.list() };
  return { ok: true, session: deepFreeze(session), warnings: sink.list(), text: sub.text };
}

function fail(map: SourceMap, code: 'CAS_POLICY_TOO_LARGE', message: string): ParseResult {
  const sink = new IssueSink(map);
  sink.error(code, '', 0, message);
  return { ok: false, issues: sink.list() };
}
