import { attestCas } from '../../client/attest-cas.js';
import { casUrl } from '../../client/cas-address.js';
import { pinnedCasClient } from '../../client/pinned-client.js';
import { CasError } from '../../errors/cas-error.js';
import { defineCommand } from '../command.js';
import { addDatabaseKeyOptions } from '../database-key-options.js';
import { withPinnedCas } from '../state.js';
import { addAttestFlags, attestAndPin, type AttestFlags } from './cas-attest.js';

interface Options extends AttestFlags {
  readonly casKeyHash?: string;
  readonly casSoftwareKeyHash?: string;
  readonly token?: string;
  readonly configFile?: string;
  readonly databaseKeyFile?: string;
  readonly databaseKey?: string;
}

/**
 * `scone cas provision ADDR -c HASH --token T --config-file F (with-attestation [MRENCLAVE] |
 * only_for_testing-without-attestation)`: becomes the owner of a new CAS. The CAS is attested
 * (or, without attestation, at least its CAS key checked against -c) before the token is sent.
 */
export const casProvision = defineCommand<Options>({
  path: ['cas', 'provision'],
  summary: 'become the owner of a new CAS',
  configure: (cmd) =>
    addDatabaseKeyOptions(
      addAttestFlags(
        cmd
          .argument('<ADDR>', 'CAS address (host or host:port)')
          .argument('<MODE>', 'with-attestation | only_for_testing-without-attestation')
          .argument('[MRENCLAVE]', 'expected CAS measurement (with-attestation)'),
      )
        .option('--token <TOKEN>', 'the provisioning token the CAS printed')
        .option('--config-file <FILE>', 'owner config (TOML, JSON or YAML)'),
    ),
  async run(ctx, [address, mode, mrenclave], opts) {
    if (
      opts.casKeyHash === undefined ||
      opts.token === undefined ||
      opts.configFile === undefined
    ) {
      throw new CasError(
        'CAS_CLI_USAGE',
        'cas provision needs -c CAS_KEY_HASH, --token TOKEN and --config-file FILE',
      );
    }
    if (mode !== 'with-attestation' && mode !== 'only_for_testing-without-attestation') {
      throw new CasError(
        'CAS_CLI_USAGE',
        'the mode is with-attestation or only_for_testing-without-attestation',
      );
    }
    let databaseKey: string | undefined;
    if (opts.databaseKey !== undefined) {
      ctx.out.warn(
        '--database-key puts the key on the command line, where ps and shell history see it; prefer --database-key-file',
      );
      databaseKey = opts.databaseKey;
    } else if (opts.databaseKeyFile !== undefined) {
      databaseKey = (await ctx.readTextFile(opts.databaseKeyFile)).trim();
    }
    const ownerConfig = await ctx.readTextFile(opts.configFile);
    const identity = await ctx.identity();
    const name = opts.name ?? address!;
    if (mode === 'with-attestation') {
      await attestAndPin(ctx, address!, mrenclave, { ...opts, name });
    } else {
      // No evidence check; still refuse to send the token to a CAS with another key.
      const seen = await attestCas(address!, {
        casKeyHash: opts.casKeyHash,
        allowDebug: true,
        allowOwnerSecretAccess: true,
        trustAny: true,
      });
      const { state } = await ctx.loadState();
      await ctx.saveState(
        withPinnedCas(state, name, {
          url: casUrl(address!),
          address: address!,
          chain: seen.chain,
          cas_key_hash: seen.casKeyHash,
          software_key_hash: seen.softwareKeyHash,
          relaxations: ['only_for_testing-without-attestation'],
          attested_at: ctx.io.now().toISOString(),
        }),
      );
    }
    const { cas } = await ctx.pinnedCas(name);
    const client = pinnedCasClient(cas, identity);
    try {
      await client.call('POST', '/v1/provision', {
        json: {
          token: opts.token,
          cas_key_hash: opts.casKeyHash,
          owner_config: ownerConfig,
          ...(databaseKey === undefined ? {} : { database_key: databaseKey }),
        },
      });
    } finally {
      await client.close();
    }
    ctx.out.result(
      { name, owner_key_hash: identity.keyHash, database_key_injected: databaseKey !== undefined },
      [
        ...(databaseKey === undefined
          ? []
          : [
              'The database key was injected: clients must attest this CAS with --allow-cas-owner-secret-access.',
            ]),
        'Done, CAS configuration was successfully provisioned. You are now owner of the CAS.',
      ],
    );
  },
});
