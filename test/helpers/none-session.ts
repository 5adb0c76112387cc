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
