import { CasError } from '../../errors/cas-error.js';

/**
 * Checks `notBefore <= now <= notAfter`. Certificates and collateral (CRLs, TCB info, QE
 * identity) fail with distinct codes so an operator knows whether to refresh collateral or
 * whether the platform's certificates themselves are out of their life.
 */
export function checkWindow(
  notBefore: Date,
  notAfter: Date,
  now: Date,
  what: string,
  kind: 'certificate' | 'collateral',
): void {
  // An invalid clock would make every comparison false and so pass every window: refuse it.
  if ([notBefore, notAfter, now].some((d) => Number.isNaN(d.getTime()))) {
    throw new CasError(
      'CAS_INTERNAL',
      `A validity window of ${what} or the verification time is not a valid date.`,
    );
  }
  const details = {
    item: what,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    at: now.toISOString(),
  };
  if (now.getTime() < notBefore.getTime()) {
    throw new CasError(
      kind === 'certificate'
        ? 'CAS_ATTESTATION_CERT_NOT_YET_VALID'
        : 'CAS_ATTESTATION_COLLATERAL_NOT_YET_VALID',
      `${what} is not valid before ${notBefore.toISOString()} (verification time ${now.toISOString()}).`,
      { details },
    );
  }
  if (now.getTime() > notAfter.getTime()) {
    throw new CasError(
      kind === 'certificate'
        ? 'CAS_ATTESTATION_CERT_EXPIRED'
        : 'CAS_ATTESTATION_COLLATERAL_EXPIRED',
      `${what} expired at ${notAfter.toISOString()} (verification time ${now.toISOString()}).`,
      { details },
    );
  }
}
