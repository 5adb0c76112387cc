import { formatAddress } from '../../config/listen-address.js';
import type { Started } from './start-cas.js';
import { out } from './out.js';

/** Prints what an operator needs of a started CAS: its key hashes, state and addresses. */
export function printStarted({ rt, servers }: Started): void {
  if (rt.state === 'unprovisioned') {
    out(`CAS key hash: ${rt.keys.casKeyHash}`);
    out(`CAS provisioning token: ${rt.provisioningToken ?? ''}`);
  } else if (rt.state === 'awaiting_registration') {
    out(`CAS key hash: ${rt.keys.casKeyHash}`);
    out(
      `CAS awaiting registration: run scone cas register-backup ${formatAddress(servers.clientAddress)} against a registered replica`,
    );
  } else {
    out(`CAS key hash: ${rt.keys.casKeyHash}`);
  }
  out(`CAS software key hash: ${rt.keys.softwareKeyHash}`);
  out(`CAS client API: https://${formatAddress(servers.clientAddress)}/ (simulation mode)`);
  out(`CAS enclave API: ${formatAddress(servers.enclaveAddress)}`);
}
