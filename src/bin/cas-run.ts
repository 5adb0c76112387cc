#!/usr/bin/env node
import { NAMESPACE_HELPER_ENV, runNamespaceHelper } from '../launcher/namespace-helper.js';
import { runCasRun } from '../launcher/run-cas-run.js';

// cas-run re-runs itself as the helper inside its private mount namespace (see
// docs/cas-run.md); the helper takes nothing from argv.
process.exitCode =
  process.env[NAMESPACE_HELPER_ENV] === '1'
    ? await runNamespaceHelper()
    : await runCasRun(process.argv.slice(2));
