import { keyHashOfSpki } from '../../../src/crypto/key-hash.js';

/** A 64-hex measurement. */
export const MRENCLAVE = 'a'.repeat(64);

/** A well-formed key hash (of made-up SPKI bytes). */
export const KEY_HASH = keyHashOfSpki(new Uint8Array(40).fill(3));

/** A session file: the two header lines, then `body` (so `body` starts on line 3). */
export function session(body: string): string {
  return `name: app\nversion: "0.3.10"\n${body}`;
}

/** One valid service, for bodies that need one (lines 3-6 when first). */
export const SERVICE = `services:
  - name: svc
    command: /bin/app
    attestation: {mrenclave: ["${MRENCLAVE}"]}
`;

/** The complete example of the reference (§1.10); `$MRENCLAVE` is a template variable. */
export const REFERENCE_EXAMPLE = `name: my-ns/app
version: "0.3.10"
security:
  attestation: {tolerate: [debug-mode, hyperthreading, outdated-tcb], ignore_advisories: "*"}
services:
  - name: application
    image_name: app_image
    attestation: {mrenclave: ["$MRENCLAVE"]}
    command: /usr/bin/python3 /app/main.py
    pwd: /
    environment: {API_USER: alice, API_PASSWORD: "$$SCONE::api_password$$"}
images:
  - name: app_image
    injection_files:
      - {path: /app/cert.pem, content: "$$SCONE::SERVER_CERT:crt$$"}
      - {path: /private/key.pem, content: "$$SCONE::SERVER_CERT:privatekey$$"}
secrets:
  - {name: api_password, kind: ascii, size: 24}
  - {name: CA_KEY, kind: private-key, key_type: P-384, migrate: true}
  - {name: CA_CERT, kind: x509-ca, private_key: CA_KEY, valid_for: 3560d, export_public: true}
  - {name: SERVER_KEY, kind: private-key}
  - {name: SERVER_CERT, kind: x509, issuer: CA_CERT, private_key: SERVER_KEY, endpoint: server}
`;
