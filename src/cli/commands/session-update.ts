import { CasError } from '../../errors/cas-error.js';
import { defineCommand } from '../command.js';
import { addSessionFileInput, readSessionFile } from '../session-input.js';
import { sessionClient, sessionUploadText, type UploadOptions } from './session-create.js';
import type { ReadAnswer } from './session-read.js';

/** `scone session update FILE [--cas NAME] [-e ...] [--use-env]`: fills `predecessor` itself. */
export const sessionUpdate = defineCommand<UploadOptions>({
  path: ['session', 'update'],
  summary: 'upload a new version of a session (prints its hash as the last line)',
  configure: (cmd) =>
    addSessionFileInput(cmd).option('--cas <NAME>', 'pinned CAS (default: the default CAS)'),
  async run(ctx, [file], opts) {
    const { session } = await readSessionFile(ctx, file!, opts);
    const client = await sessionClient(ctx, opts.cas);
    try {
      const current = (await client.call(
        'GET',
        `/v1/sessions/${encodeURI(session.name)}`,
      )) as ReadAnswer;
      if (typeof current.hash !== 'string') {
        throw new CasError(
          'CAS_SERVER_UNEXPECTED_RESPONSE',
          'the CAS did not say which version is active',
        );
      }
      const { text } = await sessionUploadText(ctx, file!, opts, { predecessor: current.hash });
      const { hash } = (await client.call('PUT', '/session', { text })) as { hash: string };
      ctx.out.result({ name: session.name, hash, predecessor: current.hash }, [
        `Updated session ${session.name}`,
        hash,
      ]);
    } finally {
      await client.close();
    }
  },
});
