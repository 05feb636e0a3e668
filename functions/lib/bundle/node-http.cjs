// Bundles resolve `node:http` / `http` here (lib/bundling.ts, BUNDLE_ALIASES): the CommonJS module
// object itself. An ESM `import ... from 'node:http'` makes Node build an ES module facade that reads
// every export, including the lazy getters that load undici (WebSocket, EventSource...): about
// 30 ms of a cold start for code the functions never run.
module.exports = process.getBuiltinModule('node:http');
