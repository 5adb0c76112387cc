import type { Session } from '../../policy/types.js';
import { attestationStrictEnough } from '../../secrets/attestation-strict-enough.js';
import { renderService, type RenderedService } from '../../secrets/render-service.js';
import type { SessionForProvisioning } from './load-for-provisioning.js';

/**
 * Renders a service of a session loaded by `loadForProvisioning`, withholding every imported
 * secret whose exporter attests more strictly than this session's own mode (amendment 6)
 * unless the export allows weaker attestation. The session's mode bounds how strictly its
 * services are attested, so this never releases a secret too early; a placeholder naming a
 * withheld secret fails to render (fail closed).
 */
export function renderForProvisioning(
  session: Session,
  serviceName: string,
  loaded: Pick<SessionForProvisioning, 'values' | 'imports'>,
): RenderedService {
  const mode = session.security.attestation.mode;
  const withhold = new Set<string>();
  for (const [name, from] of loaded.imports) {
    if (!attestationStrictEnough(from.mode, mode, from.allowWeakerAttestation)) withhold.add(name);
  }
  return renderService(session, serviceName, loaded.values, { withhold });
}
