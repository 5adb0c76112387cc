import { parseLine } from '../../audit/audit-line.js';
import { verifyAuditLog, type AuditVerdict } from '../../audit/verify-audit-log.js';
import { verifyAuditLogs } from '../../audit/verify-audit-logs.js';
import { pinnedCasClient } from '../../client/pinned-client.js';
import { isKeyHash } from '../../crypto/key-hash.js';
import { CasError, isCasError } from '../../errors/cas-error.js';
import { defineCommand } from '../command.js';
import type { CommandContext } from '../context.js';
import type { PinnedCas } from '../pinned-cas.js';

interface Options {
  readonly casKeyHash?: string;
  readonly replica?: readonly string[];
  readonly cas?: string;
  readonly json?: boolean;
}

/**
 * `scone cas verify-audit-log FILE... [-c CAS_KEY_HASH] [--cas NAME] [--replica HASH]...`: checks the chain and the
 * signatures of an audit log against the CAS key, and compares it with the CAS's signed
 * checkpoint when the CAS can be asked. Exits with the codes of `interfaces.md` §8.
 */
export const casVerifyAuditLog = defineCommand<Options>({
  path: ['cas', 'verify-audit-log'],
  summary: 'verify an audit log: chain, signatures, and the CAS checkpoint (exit codes 10-20)',
  configure: (cmd) =>
    cmd
      .argument(
        '<FILE...>',
        "the audit log (JSON lines); with PostgreSQL replicas, every replica's file",
      )
      .option('-c, --cas-key-hash <CAS_KEY_HASH>', 'the key hash of the CAS that wrote it')
      .option('--cas <NAME>', 'pinned CAS to take the key from and ask for its checkpoint')
      .option(
        '--replica <CAS_KEY_HASH>',
        'CAS key hash of another registered replica whose file is given (repeatable)',
        (value: string, previous: string[] = []) => [...previous, value],
      ),
  async run(ctx, args, opts) {
    const texts = await Promise.all(args.map((file) => ctx.readTextFile(file)));
    const { keyHash, cas } = await resolveCas(ctx, opts);
    const { checkpoint, why } = await fetchCheckpoint(ctx, cas);
    // One chain over several files (replicas on one PostgreSQL) is ordered by seq.
    const replicas = opts.replica ?? [];
    if (!replicas.every(isKeyHash)) {
      throw new CasError('CAS_CLI_USAGE', '--replica needs a CAS key hash (scone cas attest)');
    }
    const [single] = texts;
    const verdict =
      texts.length === 1 && single !== undefined && !isSharedChain(single) && replicas.length === 0
        ? verifyAuditLog(single, keyHash, checkpoint)
        : verifyAuditLogs(texts, [keyHash, ...replicas], checkpoint);
    ctx.out.result({ ...verdict, cas_key_hash: keyHash }, report(verdict, keyHash, why));
    const worst = verdict.findings.find((f) => f.code === verdict.code);
    if (worst !== undefined) {
      ctx.io.writeErr(`Error: ${worst.message} (${worst.code})\n`);
    }
    return verdict.exitCode;
  },
});

/** True when a start line of the log says its chain is shared with other replicas' files. */
function isSharedChain(text: string): boolean {
  return text
    .split('\n')
    .some((l) => l.includes('"chain":"shared"') && parseLine(l)?.['chain'] === 'shared');
}

/** The expected CAS key (`-c` wins) and the pinned CAS to ask for the checkpoint, if any. */
async function resolveCas(
  ctx: CommandContext,
  opts: Options,
): Promise<{ keyHash: string; cas: PinnedCas | undefined }> {
  if (opts.casKeyHash !== undefined && !isKeyHash(opts.casKeyHash)) {
    throw new CasError(
      'CAS_CLI_USAGE',
      '-c needs a CAS key hash (scone cas show-identification -c)',
    );
  }
  if (opts.cas !== undefined) {
    const { cas } = await ctx.pinnedCas(opts.cas);
    return { keyHash: opts.casKeyHash ?? cas.cas_key_hash, cas };
  }
  if (opts.casKeyHash !== undefined) {
    const { state } = await ctx.loadState();
    const cas = Object.values(state.cas_db).find((c) => c.cas_key_hash === opts.casKeyHash);
    return { keyHash: opts.casKeyHash, cas };
  }
  try {
    const { cas } = await ctx.pinnedCas();
    return { keyHash: cas.cas_key_hash, cas };
  } catch (cause) {
    throw new CasError(
      'CAS_AUDIT_NO_CAS_KEY',
      'which CAS wrote this log? give -c CAS_KEY_HASH, or --cas NAME of a CAS you attested',
      { cause },
    );
  }
}

/** The checkpoint, or undefined with the reason when the CAS cannot be asked. */
async function fetchCheckpoint(
  ctx: CommandContext,
  cas: PinnedCas | undefined,
): Promise<{ checkpoint: unknown; why: string | undefined }> {
  if (cas === undefined) {
    return { checkpoint: undefined, why: 'no pinned CAS with this key to ask for its checkpoint' };
  }
  const client = pinnedCasClient(cas, await ctx.identity());
  try {
    return { checkpoint: await client.call('GET', '/v1/audit/checkpoint'), why: undefined };
  } catch (error) {
    const reason = isCasError(error) ? `${error.message} (${error.code})` : 'unreachable';
    return { checkpoint: undefined, why: `the CAS did not give its checkpoint: ${reason}` };
  } finally {
    await client.close();
  }
}

function report(verdict: AuditVerdict, keyHash: string, why: string | undefined): string[] {
  const range =
    verdict.firstSeq === undefined ? 'no entries' : `seq ${verdict.firstSeq}..${verdict.lastSeq}`;
  const lines = [
    `Checked ${verdict.lines} line(s) (${range}; ${verdict.signedLines} signed, ${verdict.abortedLines} aborted) against CAS key ${keyHash}.`,
    verdict.checkpoint === undefined
      ? `Checkpoint: not checked (${why ?? 'it did not verify'}).`
      : `Checkpoint: seq ${verdict.checkpoint.seq}, hash ${verdict.checkpoint.hash.slice(0, 16)}...`,
  ];
  for (const f of verdict.findings) {
    lines.push(`  ${f.line === undefined ? '' : `line ${f.line}: `}${f.message} (${f.code})`);
  }
  lines.push(
    verdict.exitCode === 0
      ? 'The audit log is intact and matches the CAS checkpoint.'
      : `Verdict: ${verdict.code ?? ''} (exit ${verdict.exitCode}).`,
  );
  return lines;
}
