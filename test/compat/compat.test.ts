import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSession } from '../../src/policy/parse-session.js';
import { sessionHash } from '../../src/policy/session-hash.js';
import { requireShared } from '../helpers/shared.js';
import { COMPAT_VARS, renderForeignPlaceholders } from './compat-inputs.js';

/**
 * The decision for every real session file of the compatibility corpus
 * (`docs/session-language.md`, "Compatibility decisions"). A refusal lists the only codes its
 * errors may have (so a file is never refused for a reason we did not decide) and words that
 * some message must contain (the unsupported key or version it names).
 */
type Expectation =
  | { readonly accept: true }
  | {
      readonly accept: false;
      readonly codes: readonly string[];
      readonly mentions: readonly string[];
    };

const ACCEPT: Expectation = { accept: true };
const UNSUPPORTED = 'CAS_POLICY_UNSUPPORTED_KEY';
const refuse = (mentions: string[], ...extra: string[]): Expectation => ({
  accept: false,
  codes: [UNSUPPORTED, ...extra],
  mentions,
});
const FRAGMENT_REFUSAL = ['CAS_POLICY_MISSING_KEY', 'CAS_POLICY_UNSUPPORTED_VERSION'];
const LEGACY_REFUSAL = ['CAS_POLICY_UNSUPPORTED_VERSION'];

const EXPECTED: Readonly<Record<string, Expectation>> = {
  'SconeDocs__SconeDocs.github.io__latest_CAS_session_lang_0_3_index.html__block71.yml': refuse(
    ['`name` is required', '`signer`'],
    ...FRAGMENT_REFUSAL,
  ),
  'SconeDocs__SconeDocs.github.io__latest_S3_governance_index.html__block5.yml': refuse(
    ['`name` is required', '`require-at-least-1`'],
    ...FRAGMENT_REFUSAL,
  ),
  'SconeDocs__SconeDocs.github.io__latest_cas_blender_example_index.html__block6.yml': refuse(
    ['no `version`', '`digest`', '`board_members`'],
    ...LEGACY_REFUSAL,
  ),
  'ethernity-cloud__ethernity-cloud-sdk-js__nodenithy_run_etny-securelock-test.yaml.tpl.yml':
    ACCEPT,
  'ethernity-cloud__ethernity-cloud-sdk-js__nodenithy_run_etny-trustedzone-test.yaml.tpl.yml':
    ACCEPT,
  'ethernity-cloud__ethernity-cloud-sdk-js__pynithy_run_etny-pynity-test.yaml.tpl.yml': ACCEPT,
  'ethernity-cloud__ethernity-cloud-sdk-py__ethernity_cloud_sdk_py_commands_pynithy_run_etny-securelock-test.yaml.tpl.yml':
    ACCEPT,
  'scontain__args-env-tutorial__access_policy.yaml': refuse(['`access_policy`']),
  'scontain__args-env-tutorial__access_token_policy.yaml': refuse(
    ['`one_time_password_shared_secret`'],
    'CAS_POLICY_CONFLICT',
  ),
  'scontain__args-env-tutorial__attestation_policy_4.yaml': refuse([
    '`access_policy`',
    '`service_access_token`',
    '`singleton_enclaves`',
    '`@@N`',
    '`\\@\\@HOSTNAME`',
  ]),
  'scontain__args-env-tutorial__attestation_policy_5.yaml': refuse([
    '`service_access_token`',
    '`singleton_enclaves`',
  ]),
  'scontain__args-env-tutorial__file_injection_governance.yaml': refuse([
    '`access_policy`',
    '`security`',
  ]),
  'scontain__args-env-tutorial__fprint_policy.yaml': refuse(['`volumes`', '`singleton_enclaves`']),
  'scontain__args-env-tutorial__history_example_1.yaml': ACCEPT,
  'scontain__args-env-tutorial__host_arguments_policy.yaml': refuse([
    '`service_access_token`',
    '`@@N`',
  ]),
  'scontain__args-env-tutorial__namespace.yaml': ACCEPT,
  'scontain__args-env-tutorial__nested_access_token_policy.yaml': refuse(
    ['`service_access_token`'],
    'CAS_POLICY_CONFLICT',
  ),
  'scontain__args-env-tutorial__otp_policy.yaml': ACCEPT,
  'scontain__args-env-tutorial__service_access_token_2.yaml': refuse(['`service_access_token`']),
  'scontain__args-env-tutorial__session.yaml': ACCEPT,
  'scontain__envcas-example__example-bash_session.yaml': refuse([
    '`one_time_password_shared_secret`',
  ]),
  'scontain__envcas-example__example-python_session.yaml': refuse(['`\\@\\@UNTRUSTED_ENV`']),
  'scontain__flask_example__flask-template.yml': refuse([
    '`fspf_path`',
    '`fspf_key`',
    '`fspf_tag`',
  ]),
  'scontain__flask_example__redis-template.yml': ACCEPT,
  'scontain__flask_example__session-template.yml': refuse(
    ['no `version`', '`digest`', '`tags`'],
    ...LEGACY_REFUSAL,
  ),
  'scontain__manifests__5.9.0-rc.12_vault-demo-client-policy.yaml': refuse([
    'attestation variant that is a value taken from a `$$SCONE::...$$`',
  ]),
  'scontain__manifests__5.9.0-rc.12_vault-policy.yaml': refuse([
    'secret kind `pgp-key`',
    'attestation variant that is a value taken from a `$$SCONE::...$$`',
  ]),
  'scontain__manifests__5.9.0-rc.9_vault-image-mrenclaves.yaml': ACCEPT,
  'scontain__manifests__5.9.0-rc.9_vault-verify-policy.yaml': refuse(['`@@N`']),
  'scontain__manifests__7.0.0-alpha.2_cas-owner.yaml': ACCEPT,
  'scontain__manifests__templates_backup_policy.yaml': refuse(['`@@N`', '`\\@\\@SCONE_LAS_ADDR`']),
  'scontain__operator-samples__cas_v1beta1_signedpolicy.yaml__spec.policy.yml': refuse([
    '`persistency`',
    '`creator`',
  ]),
  'scontain__operator-samples__operator-chart_templates_backup_policy.yaml': refuse(['`@@N`']),
  'scontain__sconify_image__session-template.yml': refuse(['`fspf_path`']),
  'scontain__volume-demo__session_template.yml': refuse(['`volumes`']),
  'shifty21__scone__docker_consul-template_resources_vault-init_session.yml': {
    accept: false,
    codes: ['CAS_POLICY_UNSUPPORTED_VERSION'],
    mentions: ['version "0.2"'],
  },
  'shifty21__scone__resources_consul-template_session.yml': ACCEPT,
  'shifty21__scone__resources_demo-client_session1.yml': ACCEPT,
  'shifty21__scone__resources_demo-client_test_updated_session.yml': ACCEPT,
  'shifty21__scone__resources_vault-init_session_auto.yml': ACCEPT,
  'shifty21__scone__resources_vault-init_test_updated_session.yml': ACCEPT,
  'shifty21__scone__testresources_vault-init_session_fault.yml': {
    accept: false,
    codes: ['CAS_POLICY_YAML_INVALID'],
    mentions: [],
  },
};

test('every corpus session file is accepted or refused as decided', (t) => {
  const dir = requireShared(t, 'compat', 'sessions');
  if (dir === null) return;
  const files = readdirSync(dir).sort();
  assert.equal(files.length, Object.keys(EXPECTED).length, 'one decision per corpus file');
  for (const file of files) {
    const expected = EXPECTED[file];
    assert.ok(expected !== undefined, `${file}: no decision recorded in this table`);
    const text = renderForeignPlaceholders(readFileSync(join(dir, file), 'utf8'));
    const res = parseSession(text, { vars: COMPAT_VARS });
    if (expected.accept) {
      assert.ok(res.ok, `${file} should be accepted: ${JSON.stringify(!res.ok && res.issues)}`);
      assert.match(sessionHash(res.session), /^[0-9a-f]{64}$/);
      continue;
    }
    assert.ok(!res.ok, `${file} should be refused`);
    const errors = res.issues.filter((i) => i.severity === 'error');
    for (const issue of errors) {
      assert.ok(
        expected.codes.includes(issue.code),
        `${file}: unexpected ${issue.code} at ${issue.line}:${issue.column}: ${issue.message}`,
      );
    }
    for (const word of expected.mentions) {
      assert.ok(
        errors.some((i) => i.message.includes(word)),
        `${file}: no error mentions ${word}`,
      );
    }
  }
});

test('the invalid-YAML fixture fails with a parse error at its line and column', (t) => {
  const dir = requireShared(t, 'compat', 'sessions');
  if (dir === null) return;
  const text = readFileSync(
    join(dir, 'shifty21__scone__testresources_vault-init_session_fault.yml'),
    'utf8',
  );
  const res = parseSession(text);
  assert.ok(!res.ok);
  assert.deepEqual(
    { code: res.issues[0]?.code, line: res.issues[0]?.line, column: res.issues[0]?.column },
    { code: 'CAS_POLICY_YAML_INVALID', line: 5, column: 11 },
  );
});

test('variables that occur only in comments are not demanded', (t) => {
  const dir = requireShared(t, 'compat', 'sessions');
  if (dir === null) return;
  for (const [file, variable] of [
    ['scontain__args-env-tutorial__history_example_1.yaml', 'HSESSION1'],
    ['scontain__manifests__templates_backup_policy.yaml', 'PLATFORM_IDS'],
    [
      'ethernity-cloud__ethernity-cloud-sdk-py__ethernity_cloud_sdk_py_commands_pynithy_run_etny-securelock-test.yaml.tpl.yml',
      'HOME',
    ],
  ] as const) {
    const text = renderForeignPlaceholders(readFileSync(join(dir, file), 'utf8'));
    assert.ok(text.includes(`$${variable}`), `${file} mentions $${variable}`);
    const res = parseSession(text, { vars: COMPAT_VARS });
    const issues = res.ok ? res.warnings : res.issues;
    assert.ok(
      !issues.some((i) => i.code === 'CAS_POLICY_TEMPLATE_VARIABLE_MISSING'),
      `${file}: ${variable} was demanded`,
    );
  }
});

test('a missing template variable is reported with its name and position', (t) => {
  const dir = requireShared(t, 'compat', 'sessions');
  if (dir === null) return;
  const text = readFileSync(join(dir, 'scontain__args-env-tutorial__session.yaml'), 'utf8');
  const res = parseSession(text);
  assert.ok(!res.ok);
  const issue = res.issues[0];
  assert.equal(issue?.code, 'CAS_POLICY_TEMPLATE_VARIABLE_MISSING');
  assert.match(issue?.message ?? '', /SESSION/);
  const line = text.split('\n')[(issue?.line ?? 1) - 1] ?? '';
  assert.equal(line.slice((issue?.column ?? 1) - 1).startsWith('$SESSION'), true);
});
