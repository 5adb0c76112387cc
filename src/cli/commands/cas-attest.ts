import type { Command } from 'commander';
import { attestCas, type AttestedCas } from '../../client/attest-cas.js';
import { casUrl } from '../../client/cas-address.js';
import { defineCommand } from '../command.js';
import type { CommandContext } from '../context.js';
import { withPinnedCas } from '../state.js';

/** The attest flags, shared with `scone cas provision ... with-attestation`. */
export interface AttestFlags {
  readonly c?: string;
  readonly s?: string;
  readonly mrsigner?: string;
  readonly isvprodid?: string;
  readonly isvsvn?: string;
  readonly C?: boolean;
  readonly G?: boolean;
  readonly S?: boolean;
  readonly allowCasOwnerSecretAccess?: boolean;
  readonly only_for_testingDebug?: boolean;
  readonly only_for_testingIgnoreSigner?: boolean;
  readonly only_for_testingTrustAny?: boolean;
  readonly name?: string;
  readonly json?: boolean;
}

/** Declares the attest flags on a command. */
export function addAttestFlags(cmd: Command): Command {
  return cmd
    .option('-c, --cas-key-hash <HASH>', 'expected CAS key hash')
    .option('-s, --cas-software-key-hash <HASH>', 'expected CAS software key hash')
    .option('--mrsigner <HEX>', 'expected MRSIGNER (SGX)')
    .option('--isvprodid <N>', 'expected ISVPRODID (SGX)')
    .option('--isvsvn <N>', 'minimum ISVSVN (SGX)')
    .option('-C', 'accept TCB status ConfigurationNeeded')
    .option('-G', 'accept TCB status OutOfDate')
    .option('-S', 'accept TCB status SWHardeningNeeded')
    .option('--allow-cas-owner-secret-access', 'accept a CAS whose owner injected the database key')
    .option('--only_for_testing-debug', 'accept a CAS in simulation mode or a debug enclave')
    .option('--only_for_testing-ignore-signer', 'do not check the CAS signer')
    .option('--only_for_testing-trust-any', 'accept any CAS evidence (keys are still pinned)')
    .option('--name <NAME>', 'name to store the CAS under (default: its address)');
}

/** The relaxation flags given, as stored with the pinned CAS. */
export function relaxationsOf(flags: AttestFlags): string[] {
  const out: string[] = [];
  if (flags.only_for_testingDebug === true) out.push('only_for_testing-debug');
  if (flags.only_for_testingIgnoreSigner === true) out.push('only_for_testing-ignore-signer');
  if (flags.only_for_testingTrustAny === true) out.push('only_for_testing-trust-any');
  if (flags.allowCasOwnerSecretAccess === true) out.push('allow-cas-owner-secret-access');
  if (flags.C === true) out.push('C');
  if (flags.G === true) out.push('G');
  if (flags.S === true) out.push('S');
  return out;
}

/** Attests the CAS at `address` and pins it in the state file; the first one becomes the default. */
export async function attestAndPin(
  ctx: CommandContext,
  address: string,
  mrenclave: string | undefined,
  flags: AttestFlags & { readonly casKeyHash?: string; readonly casSoftwareKeyHash?: string },
  extraRelaxations: readonly string[] = [],
): Promise<{ name: string; attested: AttestedCas }> {
  const attested = await attestCas(address, {
    casKeyHash: flags.casKeyHash,
    softwareKeyHash: flags.casSoftwareKeyHash,
    mrenclave,
    allowDebug: flags.only_for_testingDebug === true,
    allowOwnerSecretAccess: flags.allowCasOwnerSecretAccess === true,
    trustAny: flags.only_for_testingTrustAny === true,
    signerExpected:
      flags.mrsigner !== undefined || flags.isvprodid !== undefined || flags.isvsvn !== undefined,
    ignoreSigner: flags.only_for_testingIgnoreSigner === true,
  });
  const name = flags.name ?? address;
  const { state } = await ctx.loadState();
  await ctx.saveState(
    withPinnedCas(state, name, {
      url: casUrl(address),
      address,
      chain: attested.chain,
      cas_key_hash: attested.casKeyHash,
      software_key_hash: attested.softwareKeyHash,
      relaxations: [...relaxationsOf(flags), ...extraRelaxations],
      attested_at: ctx.io.now().toISOString(),
    }),
  );
  return { name, attested };
}

/** `scone cas attest ADDR [MRENCLAVE] [flags]`. */
export const casAttest = defineCommand<
  AttestFlags & { casKeyHash?: string; casSoftwareKeyHash?: string }
>({
  path: ['cas', 'attest'],
  summary: 'attest a CAS and pin its keys in the state file',
  configure: (cmd) =>
    addAttestFlags(
      cmd
        .argument('<ADDR>', 'CAS address (host or host:port)')
        .argument('[MRENCLAVE]', 'expected CAS measurement'),
    ),
  async run(ctx, [address, mrenclave], opts) {
    const { name, attested } = await attestAndPin(ctx, address!, mrenclave, opts);
    for (const r of relaxationsOf(opts)) ctx.out.warn(`CAS "${name}" accepted with --${r}`);
    ctx.out.result(
      {
        name,
        url: casUrl(address!),
        cas_key_hash: attested.casKeyHash,
        software_key_hash: attested.softwareKeyHash,
        claims: attested.evidence.claims,
      },
      [
        `CAS ${address!} at ${casUrl(address!)} is trustworthy`,
        `Version of attested CAS: ${attested.evidence.claims.version} (simulation)`,
      ],
    );
  },
});
