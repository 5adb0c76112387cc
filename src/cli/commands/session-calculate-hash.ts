import { CasError } from '../../errors/cas-error.js';
import { sessionHash } from '../../policy/session-hash.js';
import { withCreator } from '../../policy/with-creator.js';
import { defineCommand } from '../command.js';
import {
  addSessionFileInput,
  readSessionFile,
  type SessionInputOptions,
} from '../session-input.js';

interface Options extends SessionInputOptions {
  readonly json?: boolean;
  readonly withSelfAsCreator?: string;
}

/**
 * `scone session calculate-hash FILE [-e ...] [--use-env] [--with-self-as-creator tls]`: the
 * session hash, as the last line of stdout. A CAS stores every session with its creator, so
 * only a hash with a creator can match one; without the flag a warning says so.
 */
export const sessionCalculateHash = defineCommand<Options>({
  path: ['session', 'calculate-hash'],
  summary: 'print the hash of a session file (last line of stdout)',
  configure: (cmd) =>
    addSessionFileInput(cmd).option(
      '--with-self-as-creator <tls>',
      'hash as if your CLI identity (its TLS certificate) creates the session',
    ),
  async run(ctx, [file], opts) {
    const mode = opts.withSelfAsCreator;
    if (mode !== undefined && mode !== 'tls') {
      throw new CasError(
        'CAS_CLI_USAGE',
        `--with-self-as-creator ${mode.slice(0, 32)}: only "tls" is supported so far`,
      );
    }
    const { session } = await readSessionFile(ctx, file!, opts);
    let hashed = session;
    let creatorKeyHash: string | null = null;
    if (mode === 'tls') {
      const identity = await ctx.identity();
      hashed = withCreator(session, identity.certPem);
      creatorKeyHash = identity.keyHash;
    } else {
      ctx.out.warn(
        'no creator: a CAS stores a session with its creator, so this hash matches no stored session; pass --with-self-as-creator tls to hash as its creator',
      );
    }
    const hash = sessionHash(hashed);
    ctx.out.result({ hash, name: session.name, creator_key_hash: creatorKeyHash }, hash);
  },
});
