import { keyHashOfPem } from '../../crypto/key-hash.js';
import { defineCommand } from '../command.js';

/** `scone cert show-key-hash FILE`: key hash of a PEM certificate or public key (`-` = stdin). */
export const certShowKeyHash = defineCommand({
  path: ['cert', 'show-key-hash'],
  summary: 'print the key hash of a PEM certificate or public key',
  configure: (cmd) => cmd.argument('<FILE>', 'PEM certificate or public key (- for stdin)'),
  async run(ctx, [file]) {
    const keyHash = keyHashOfPem(await ctx.readTextFile(file!));
    ctx.out.result({ key_hash: keyHash }, keyHash);
  },
});
