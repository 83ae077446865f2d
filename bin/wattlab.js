#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled library (npm run build makes dist/).
import "../dist/src/cli/main.js";
