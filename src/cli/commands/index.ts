/**
 * The registry of `scone` commands.
 *
 * Convention: one command per file in this folder, named after its words
 * (`scone cas list` → `cas-list.ts` exporting `casList`), declared with `defineCommand` from
 * `../command.js` (`path`, `summary`, `configure` for commander arguments and options, `run`).
 * To add a command, write its file and add ONE line to `commands` below (keep the list
 * grouped and sorted). A new group (`scone evidence ...`) also needs one line in
 * `commandGroups`. The framework adds `--json`, the global `--config` and `--identity`,
 * error printing and exit codes; a command only throws `CasError`s and prints through
 * `ctx.out`. Do not declare `--config`, `--identity` or `--json` again: use
 * `ctx.loadState()`/`ctx.saveState()`, `ctx.identity()` and `ctx.out`; `ctx.pinnedCas(name)`
 * resolves `--cas NAME` or the default CAS. Shared helpers: `../session-input.ts`
 * (`addSessionFileInput` for `<FILE>`, `-e`, `--use-env`; `readSessionFile`), `../state.ts`
 * (`withPinnedCas`), `../pinned-cas.ts` (`PinnedCas`, `splitChain`).
 */
import type { AnyCommandSpec } from '../command.js';
import type { CommandRegistry } from '../main.js';
import { casAttest } from './cas-attest.js';
import { casList } from './cas-list.js';
import { casProvision } from './cas-provision.js';
import { casRegisterBackup } from './cas-register-backup.js';
import { casSetDefault } from './cas-set-default.js';
import { casSnapshot } from './cas-snapshot.js';
import { casShowCertificate } from './cas-show-certificate.js';
import { casShowIdentification } from './cas-show-identification.js';
import { casUpdateConfig } from './cas-update-config.js';
import { casVerifyAuditLog } from './cas-verify-audit-log.js';
import { certShowKeyHash } from './cert-show-key-hash.js';
import { evidenceVerify } from './evidence-verify.js';
import { sessionCalculateHash } from './session-calculate-hash.js';
import { sessionCheck } from './session-check.js';
import { sessionCreate } from './session-create.js';
import { sessionList } from './session-list.js';
import { sessionRead } from './session-read.js';
import { sessionUpdate } from './session-update.js';
import { sessionVerify } from './session-verify.js';
import { selfShowCertificate } from './self-show-certificate.js';
import { selfShowKeyHash } from './self-show-key-hash.js';
import { selfShow } from './self-show.js';

/** `scone <group>` descriptions. */
export const commandGroups: Readonly<Record<string, string>> = {
  self: 'your CLI identity (key and certificate in the state file)',
  cert: 'certificates and public keys',
  cas: 'attested CASes (pinned in the state file)',
  session: 'sessions (security policies)',
  evidence: 'TEE evidence (quotes, reports, attestation documents), verified offline',
};

/** Every command, in help order. */
export const commands: readonly AnyCommandSpec[] = [
  selfShow,
  selfShowKeyHash,
  selfShowCertificate,
  certShowKeyHash,
  casAttest,
  casProvision,
  casUpdateConfig,
  casList,
  casSetDefault,
  casShowIdentification,
  casShowCertificate,
  casVerifyAuditLog,
  casRegisterBackup,
  casSnapshot,
  sessionCheck,
  sessionCalculateHash,
  sessionCreate,
  sessionUpdate,
  sessionVerify,
  sessionRead,
  sessionList,
  evidenceVerify,
];

/** The registry `src/bin/scone.ts` runs. */
export const sconeCommands: CommandRegistry = { groups: commandGroups, commands };
