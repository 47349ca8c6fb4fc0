#!/usr/bin/env node
// Entry point of the `callbackd` command; the code lives in dist/cli/, one bundled module and its lazy chunks (built by `npm install` / `npm run build`).
import { run } from '../dist/cli/main.js';

const code = await run(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
