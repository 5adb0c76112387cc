import { CasError } from '../../errors/cas-error.js';
import type { TcbStatus } from '../verifier.js';

type IntelStatus = Exclude<TcbStatus, 'NotApplicable'>;

const RANK: Record<IntelStatus, number> = {
  UpToDate: 0,
  SWHardeningNeeded: 1,
  ConfigurationNeeded: 2,
  ConfigurationAndSWHardeningNeeded: 3,
  OutOfDate: 4,
  OutOfDateConfigurationNeeded: 5,
  Revoked: 6,
};

const NEEDS_CONFIGURATION = new Set<IntelStatus>([
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDateConfigurationNeeded',
]);

/**
 * The worst of several TCB statuses (platform, QE, TDX module). When the worst is `OutOfDate`
 * and another part needs configuration, the result is `OutOfDateConfigurationNeeded`, as
 * Intel's QVL converges them, so that neither fact is lost.
 */
export function worstStatus(statuses: readonly IntelStatus[]): IntelStatus {
  let worst: IntelStatus = 'UpToDate';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  if (worst === 'OutOfDate' && statuses.some((s) => NEEDS_CONFIGURATION.has(s)))
    return 'OutOfDateConfigurationNeeded';
  return worst;
}

/** The union of advisory ids, in first-seen order. */
export function unionAdvisories(lists: readonly (readonly string[] | undefined)[]): string[] {
  const out: string[] = [];
  for (const list of lists) for (const id of list ?? []) if (!out.includes(id)) out.push(id);
  return out;
}

/** A matched TCB level: its status and advisories. */
export interface MatchedLevel {
  readonly status: IntelStatus;
  readonly advisoryIds: readonly string[];
  readonly tcbDate: string;
}

/** `Revoked` is never a status to report: it is a refusal. */
export function refuseRevoked(level: MatchedLevel, what: string): MatchedLevel {
  if (level.status === 'Revoked') {
    throw new CasError('CAS_ATTESTATION_TCB_REVOKED', `The ${what} TCB level is revoked.`, {
      details: { component: what, advisory_ids: level.advisoryIds },
    });
  }
  return level;
}

/** "No matching TCB level" is always a refusal. */
export function noMatch(what: string, details: Record<string, unknown> = {}): never {
  throw new CasError(
    'CAS_ATTESTATION_TCB_NO_MATCH',
    `No TCB level of the ${what} matches (the TCB is not supported).`,
    { details: { component: what, ...details } },
  );
}

export type { IntelStatus };
