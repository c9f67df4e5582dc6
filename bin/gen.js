#!/usr/bin/env node
// Entry point of the gen command; the compiled CLI lives in dist/.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
