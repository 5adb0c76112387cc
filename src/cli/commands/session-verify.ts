import { CasError } from '../../errors/cas-error.js';
import { sessionHash } from '../../policy/session-hash.js';
import { withCreator } from '../../policy/with-creator.js';
import { defineCommand } from '../command.js';
import { addSessionFileInput, readSessionFile } from '../session-input.js';
import { sessionClient, type UploadOptions } from './session-create.js';
import type { ReadAnswer } from './session-read.js';

/**
 * `scone session verify FILE [--cas NAME] [-e ...] [--use-env]`: hashes the local file with
 * the creator the CAS stored and compares with the active hash (exit 3 on mismatch).
 */
export const sessionVerify = defineCommand<UploadOptions>({
  path: ['session', 'verify'],
  summary: 'check that a local session file is the active version on the CAS',
  configure: (cmd) =>
    addSessionFileInput(cmd).option('--cas <NAME>', 'pinned CAS (default: the default CAS)'),
  async run(ctx, [file], opts) {
    const { session } = await readSessionFile(ctx, file!, opts);
    const client = await sessionClient(ctx, opts.cas);
    let answer: ReadAnswer;
    try {
      answer = (await client.call('GET', `/v1/sessions/${encodeURI(session.name)}`)) as ReadAnswer;
    } finally {
      await client.close();
    }
    // `session update` fills in the predecessor, so a file without one is compared as updated.
    const filled =
      session.predecessor === null && typeof answer.predecessor === 'string'
        ? { ...session, predecessor: answer.predecessor }
        : session;
    const local =
      answer.creator === undefined
        ? sessionHash(filled)
        : sessionHash(withCreator(filled, answer.creator));
    if (local !== answer.hash) {
      throw new CasError(
        'CAS_SESSION_VERIFY_MISMATCH',
        `${file!} hashes to ${local}, but the active version of ${session.name} is ${answer.hash}`,
        { details: { local, active: answer.hash } },
      );
    }
    ctx.out.result({ name: session.name, hash: local, verified: true }, [
      `Session ${session.name} verified`,
      local,
    ]);
  },
});
