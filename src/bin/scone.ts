#!/usr/bin/env node
import { notImplemented } from './not-implemented.js';

notImplemented('scone');
