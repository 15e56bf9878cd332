#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm ci` (the `prepare` script); run `npm run build` after editing src/.
import '../dist/cli/entry.js';
