import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CasError } from '../errors/cas-error.js';
import { configError } from './config-error.js';

const name = z.string().min(1).max(256);

const identity = z.strictObject({
  common_name: name,
  alt_names: z.array(name).max(64).optional(),
  country_name: z.string().length(2).optional(),
  org_name: name.optional(),
  state_or_province: name.optional(),
  locality: name.optional(),
  email: name.optional(),
});

const schema = z.strictObject({
  api_identity: identity.optional(),
  audit_log: z
    .strictObject({
      mode: z.enum(['disabled', 'unsigned', 'signed']).default('disabled'),
      sink: z.enum(['file']).default('file'),
    })
    .optional(),
  dcap: z
    .strictObject({
      collateral_dir: z.string().min(1).optional(),
      subscription_key: z
        .string()
        .regex(/^[0-9a-fA-F]{32}$/, 'expected 32 hex')
        .optional(),
    })
    .optional(),
  // (ours) AMD's CRLs: when set, SNP and vTPM reports need a fresh CRL of their product's ARK
  snp: z.strictObject({ crl_dir: z.string().min(1).optional() }).optional(),
  attestation: z.strictObject({ allow_simulation: z.boolean().default(false) }).optional(),
});

/** The validated owner config of `interfaces.md` §3. */
export type OwnerConfig = z.infer<typeof schema>;

/** The largest owner config accepted (they are a few hundred bytes in practice). */
export const OWNER_CONFIG_MAX_BYTES = 64 * 1024;

function parseAny(text: string, file: string): unknown {
  const trimmed = text.trimStart();
  try {
    if (trimmed.startsWith('{')) return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new CasError('CAS_CONFIG_SYNTAX', `${file}: not valid JSON`, { cause });
  }
  try {
    return parseToml(text);
  } catch {
    // Not TOML: SCONE also accepts YAML owner configs.
  }
  try {
    const doc = parseYaml(text, { maxAliasCount: 10, uniqueKeys: true }) as unknown;
    if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) return doc;
  } catch {
    // Fall through to the one error below.
  }
  throw new CasError('CAS_CONFIG_SYNTAX', `${file}: not valid TOML, JSON or YAML`);
}

/**
 * Parses an owner config in TOML, JSON or YAML (SCONE accepts all three) and validates it
 * strictly. SCONE's `[api.identity]` spelling is folded into `[api_identity]`.
 *
 * @throws CAS_CONFIG_SYNTAX, CAS_CONFIG_UNKNOWN_KEY, CAS_CONFIG_BAD_VALUE.
 */
export function parseOwnerConfig(text: string, file = 'owner config'): OwnerConfig {
  if (Buffer.byteLength(text) > OWNER_CONFIG_MAX_BYTES) {
    throw new CasError(
      'CAS_CONFIG_BAD_VALUE',
      `${file}: larger than ${OWNER_CONFIG_MAX_BYTES} bytes`,
    );
  }
  const raw = parseAny(text, file);
  if (raw !== null && typeof raw === 'object' && 'api' in raw) {
    const { api, ...rest } = raw as Record<string, unknown>;
    if (api !== null && typeof api === 'object' && Object.keys(api).join() === 'identity') {
      const identityValue = (api as Record<string, unknown>)['identity'];
      return validate({ ...rest, api_identity: identityValue }, file);
    }
  }
  return validate(raw, file);
}

function validate(raw: unknown, file: string): OwnerConfig {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw configError(file, parsed.error);
  return parsed.data;
}
