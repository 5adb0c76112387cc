// Sessions the benchmark uploads. $NAME, $MEASUREMENT, $RELEASE and $PAYLOAD are replaced by run.mjs.

const SERVICE = `services:
  - name: app
    image_name: app_image
    attestation: {mrenclave: ["$MEASUREMENT"]}
    command: /app/server --user admin --password $$SCONE::db_password$$
    pwd: /
    environment:
      API_TOKEN: "$$SCONE::api_token$$"
      SEED: "$$SCONE::seed:hex$$"
      AES_KEY: "$$SCONE::aes_key:base64$$"
      RELEASE: "$RELEASE"
images:
  - name: app_image
    injection_files:
      - {path: /app/tls/server.crt, content: "$$SCONE::SERVER_CERT:crt$$"}
      - {path: /app/tls/server.key, content: "$$SCONE::SERVER_CERT:privatekey$$"}
      - {path: /app/tls/ca.crt, content: "$$SCONE::CA_CERT:crt$$"}
      - {path: /app/tls/client.crt, content: "$$SCONE::CLIENT_CERT:crt$$"}
      - {path: /app/config.json, content: "{\\"db_password\\": \\"$$SCONE::db_password$$\\", \\"token\\": \\"$$SCONE::api_token$$\\"}"}
`;

/** The session of the attest and session scenarios: 10 secrets, two of them X.509 certificates. */
export const UPDATE_SESSION = `name: $NAME
version: "0.3.10"
security:
  attestation:
    mode: simulation
${SERVICE}secrets:
  - {name: db_password, kind: ascii, size: 24}
  - {name: api_token, kind: ascii, size: 32}
  - {name: seed, kind: binary, size: 32}
  - {name: aes_key, kind: binary, size: 32}
  - {name: CA_KEY, kind: private-key}
  - {name: CA_CERT, kind: x509-ca, private_key: CA_KEY, valid_for: 365d}
  - {name: SERVER_KEY, kind: private-key}
  - {name: SERVER_CERT, kind: x509, issuer: CA_CERT, private_key: SERVER_KEY, common_name: app, dns: [app.local]}
  - {name: CLIENT_KEY, kind: private-key}
  - {name: CLIENT_CERT, kind: x509, issuer: CA_CERT, private_key: CLIENT_KEY, common_name: client}
`;

/** The attest scenario's session. */
export const ATTEST_SESSION = UPDATE_SESSION.replaceAll('$RELEASE', '0');

/** Filler sessions of the scale scenario: one secret, one injection file. */
export const FILLER_SESSION = `name: $NAME
version: "0.3.10"
security:
  attestation:
    mode: simulation
services:
  - name: app
    image_name: app_image
    attestation: {mrenclave: ["$MEASUREMENT"]}
    command: /app/server
    environment: {PASSWORD: "$$SCONE::password$$"}
images:
  - name: app_image
    injection_files:
      - {path: /app/password, content: "$$SCONE::password$$"}
secrets:
  - {name: password, kind: ascii, size: 24}
`;

/** The CAS side of the Barbican comparison: one explicit 200-byte secret, exported publicly. */
export const PEER_SESSION = `name: $NAME
version: "0.3.10"
salt: "00112233445566778899aabbccddeeff"
security:
  attestation:
    mode: simulation
services:
  - name: app
    attestation: {mrenclave: ["${'ab'.repeat(32)}"]}
    command: /app/server
    environment: {RELEASE: "$RELEASE"}
secrets:
  - {name: token, kind: ascii, value: "$PAYLOAD", export_public: true}
`;
