import { defineCodes, type CodeInfo } from '../code-info.js';

/** A problem in a session file: the caller must fix the file (HTTP 400, CLI exit 1). */
function invalid(summary: string): CodeInfo {
  return { status: 400, exit: 1, summary };
}

/**
 * Error codes of the policy area. `CAS_POLICY_INVALID` is the one error an operation throws; it
 * carries the list of issues, each with one of the other codes, a key path and a line:column.
 * Codes are never renamed or reused; see docs/errors.md.
 */
export const policyCodes = defineCodes({
  CAS_POLICY_INVALID: invalid(
    'The session file has problems; `details.issues` lists each one with its code, key path and line:column.',
  ),
  CAS_POLICY_TOO_LARGE: invalid('The session file is larger than 1 MiB.'),
  CAS_POLICY_TOO_COMPLEX: invalid(
    'The session file nests too deeply or expands too many aliases (protection against alias bombs).',
  ),
  CAS_POLICY_TEMPLATE_VARIABLE_MISSING: invalid(
    'A template variable `$NAME` / `${NAME}` has no value: pass `-e NAME=VALUE` or `--use-env`.',
  ),
  CAS_POLICY_YAML_INVALID: invalid('The file is not valid YAML 1.2 (or uses custom tags).'),
  CAS_POLICY_DUPLICATE_KEY: invalid('A mapping has the same key twice.'),
  CAS_POLICY_MULTIPLE_DOCUMENTS: invalid('A session file holds exactly one YAML document.'),
  CAS_POLICY_UNKNOWN_KEY: invalid('A key that the session language does not have (a typo?).'),
  CAS_POLICY_UNSUPPORTED_KEY: invalid(
    'A SCONE session-language feature that this CAS does not implement yet; the message names it.',
  ),
  CAS_POLICY_UNSUPPORTED_VERSION: invalid(
    'The session `version` is not one of "0.3" to "0.3.12" (a missing version means 0.1).',
  ),
  CAS_POLICY_MISSING_KEY: invalid('A required key is missing.'),
  CAS_POLICY_WRONG_TYPE: invalid(
    'A value has the wrong type (for example a list where a map is expected).',
  ),
  CAS_POLICY_BAD_VALUE: invalid('A value is not one of those allowed for its key.'),
  CAS_POLICY_BAD_NAME: invalid(
    'A session, service or secret name breaks the name rules (segments `[A-Za-z0-9_-.~]{1,128}`).',
  ),
  CAS_POLICY_BAD_HEX: invalid('A hex value has the wrong length or characters.'),
  CAS_POLICY_DUPLICATE_NAME: invalid(
    'Two services, secrets, images or injection files share a name or path.',
  ),
  CAS_POLICY_UNKNOWN_REFERENCE: invalid(
    'A secret reference (`private_key`, `issuer`) names no secret of the session.',
  ),
  CAS_POLICY_WRONG_REFERENCE_KIND: invalid(
    'A reference names a secret of the wrong kind (for example an `issuer` that is not an x509-ca).',
  ),
  CAS_POLICY_NO_ATTESTATION: invalid(
    'A service has no attestation variant while the session attestation mode is not `none`.',
  ),
  CAS_POLICY_EMPTY_VARIANT: invalid(
    'An attestation variant or factor states nothing to check, so it would accept any workload.',
  ),
  CAS_POLICY_BAD_SIGNER: invalid(
    'A `signer` factor breaks its rules: mrsigner and isvprodid, and isvsvn or isvsvn_min/isvsvn_max.',
  ),
  CAS_POLICY_BAD_PERMISSION: invalid(
    'An injection file `permission` is not an octal mode ("0600", "0o600" or a literal 0600).',
  ),
  CAS_POLICY_BAD_DURATION: invalid(
    'A duration is not of the form `90 days`, `59d`, `24h` or `30m`.',
  ),
  CAS_POLICY_BAD_COMMAND: invalid('A service command string has an unterminated quote or escape.'),
  CAS_POLICY_BAD_ACCESS_ENTRY: invalid(
    'An access-policy entry is not CREATOR, ANY, NONE, a key hash or a certificate, or ANY/NONE is not alone.',
  ),
  CAS_POLICY_BAD_PLACEHOLDER: invalid('A `$$SCONE::...$$` placeholder is malformed.'),
  CAS_POLICY_UNKNOWN_SECRET: invalid(
    'A placeholder names a secret that the session neither declares nor imports.',
  ),
  CAS_POLICY_BAD_FORMAT: invalid("A placeholder's format is not allowed for its secret's kind."),
  CAS_POLICY_RAW_FORMAT_IN_TEXT: invalid(
    'A placeholder in `command`, `environment` or `pwd` renders raw bytes (binary without a format or `:bin`, a DER form, PKCS#12): only an injected file can hold them.',
  ),
  CAS_POLICY_EXPORT_PUBLIC_PRIVATE_KEY: invalid('`export_public` is not allowed on a private key.'),
  CAS_POLICY_CONFLICT: invalid('Two keys that exclude each other are both present.'),
  CAS_POLICY_BAD_REFERENCE: invalid(
    'A session reference (import/export) is not a valid session name.',
  ),
  CAS_POLICY_SALT_RECOMMENDED: invalid(
    'Warning: explicit secret values without a `salt` let anyone who sees the session hash test guesses of them.',
  ),
  CAS_POLICY_IMAGE_NOT_DECLARED: invalid(
    'Warning: a service `image_name` names no image of the session, so it gets no injection files from it.',
  ),
  CAS_POLICY_IGNORE_ALL_ADVISORIES: invalid(
    'Warning: `ignore_advisories: "*"` without `tolerate: [debug-mode]` ignores nothing; list the advisory ids instead.',
  ),
});
