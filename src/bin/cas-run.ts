#!/usr/bin/env node
import { runCasRun } from '../launcher/run-cas-run.js';

process.exitCode = await runCasRun(process.argv.slice(2));
