#!/usr/bin/env node
// Analyst CLI entry point: runs the TypeScript sources directly through tsx.
require('tsx/cjs');
require('../cli/main.ts');
