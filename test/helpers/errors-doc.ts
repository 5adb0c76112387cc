import { errorCodes } from '../../src/errors/codes.js';

/** The text of docs/errors.md, derived from the registry. */
export function renderErrorsDoc(): string {
  const rows = Object.entries(errorCodes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, info]) => `| \`${code}\` | ${info.status} | ${info.exit} | ${info.summary} |`);
  return [
    '# Error codes',
    '',
    'Every error the CAS, the CLI, the LAS and cas-run report carries one of these stable codes.',
    'Codes are never renamed or reused. HTTP bodies are `{ "error": { "code", "message" } }`;',
    'the CLI prints `Error: <message>` and exits with the code in the exit column.',
    '',
    'Generated from `src/errors/codes/*.ts` by `node --import tsx scripts/gen-errors-doc.ts`;',
    'a test fails when this file is out of date.',
    '',
    '| code | HTTP status | CLI exit | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
