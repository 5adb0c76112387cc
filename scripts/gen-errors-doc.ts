// Writes docs/errors.md from the code registry, so the table and the code never disagree.
// Run: node --import tsx scripts/gen-errors-doc.ts
import { writeFileSync } from 'node:fs';
import { renderErrorsDoc } from '../test/helpers/errors-doc.js';

writeFileSync('docs/errors.md', renderErrorsDoc());
