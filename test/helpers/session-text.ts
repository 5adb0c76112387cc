/** A small session without attestation (`mode: none`) with one generated password. */
export function noneSession(name: string): string {
  return `version: "0.3.10"
name: ${name}
security:
  attestation:
    mode: none
services:
  - name: app
    command: /bin/echo $$SCONE::pw$$
secrets:
  - name: pw
    kind: ascii
`;
}

/** What {@link simulationSession} puts into its one service. */
export interface SimulationSessionOptions {
  /** The service's name; `show` unless given. */
  readonly service?: string;
  /** Its command; `env` (the workload prints what it sees) unless given. */
  readonly command?: string;
  /** Its environment besides `PW`, in this order. */
  readonly environment?: Readonly<Record<string, string>>;
  /** The measurement it is attested against; `$ENV` (from `cas-run --hash env`, given with `-e`) unless given. */
  readonly mrenclave?: string;
  /** The hash of the session this one updates. */
  readonly predecessor?: string;
  /** `false`: no generated secret; otherwise `PW` is `pw`, a generated 24-character ascii secret. */
  readonly password?: boolean;
}

/**
 * A session in simulation mode with one attested service, by default `show` running `env` with
 * `PW` from a generated secret: what a workload is given, printed by the workload.
 */
export function simulationSession(name: string, options: SimulationSessionOptions = {}): string {
  const password = options.password ?? true;
  const environment = {
    ...(password ? { PW: '$$SCONE::pw$$' } : {}),
    ...options.environment,
  };
  const variables = Object.entries(environment).map(([k, v]) => `      ${k}: ${v}\n`);
  return (
    `name: ${name}\nversion: "0.3.10"\n` +
    (options.predecessor === undefined ? '' : `predecessor: "${options.predecessor}"\n`) +
    `security:\n  attestation:\n    mode: simulation\n` +
    `services:\n  - name: ${options.service ?? 'show'}\n    command: ${options.command ?? 'env'}\n` +
    (variables.length === 0 ? '' : `    environment:\n${variables.join('')}`) +
    `    attestation:\n      - mrenclave: [${options.mrenclave ?? '$ENV'}]\n` +
    (password ? 'secrets:\n  - name: pw\n    kind: ascii\n    size: 24\n' : '')
  );
}
