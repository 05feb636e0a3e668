// Stack traces of a bundle built with the deployed settings (lib/bundling.ts) point into the
// TypeScript sources without --enable-source-maps, and the map is read only when a stack is formatted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedBuildOptions } from '#lib/bundling.ts';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'lp-stacks-'));
const bundle = path.join(dir, 'index.mjs');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await build({
    ...deployedBuildOptions(ROOT),
    entryPoints: [path.join(ROOT, 'test/fixtures/bundle/throwing-entry.ts')],
    outfile: bundle,
  });
});

/** Runs a module script beside the bundle in a fresh Node, as Lambda would (no NODE_OPTIONS unless given). */
function run(script: string, nodeOptions = ''): string {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH, NODE_OPTIONS: nodeOptions },
  });
  expect(result.stderr).toBe('');
  return result.stdout;
}

// The path as the map lists it, less its leading ../ (relative to wherever the bundle was built).
const FRAME_IN_SOURCE = /at failDeliberately \((?:[\w.-]+\/)*test\/fixtures\/bundle\/throwing-entry\.ts:4:9\)/;

describe('source-mapped stack traces in a bundle', () => {
  it('point at the TypeScript source, line and function, with no --enable-source-maps', () => {
    const stack = run("const m = await import('./index.mjs'); process.stdout.write(m.stackOfFailure());");
    expect(stack).toMatch(/^Error: deliberate failure: for the stack\n/);
    expect(stack).toMatch(FRAME_IN_SOURCE);
    expect(stack).toMatch(/at stackOfFailure \((?:[\w.-]+\/)*test\/fixtures\/bundle\/throwing-entry\.ts:9:5\)/);
  });

  it('read the map when a stack is formatted, not when the bundle loads', () => {
    // The map removed after the import: a map read at load would still map this stack.
    const stack = run(
      "import { renameSync } from 'node:fs'; const m = await import('./index.mjs'); renameSync('index.mjs.map', 'moved.map');" +
        "try { process.stdout.write(m.stackOfFailure()); } finally { renameSync('moved.map', 'index.mjs.map'); }",
    );
    expect(stack).toMatch(/^Error: deliberate failure: for the stack\n/);
    expect(stack).not.toMatch(/throwing-entry\.ts/);
    expect(stack).toMatch(/index\.mjs:\d+:\d+/); // Node's own frames, unmapped
  });

  it('leave the mapping to Node when --enable-source-maps is set by hand', () => {
    const stack = run("const m = await import('./index.mjs'); process.stdout.write(m.stackOfFailure());", '--enable-source-maps');
    expect(stack).toMatch(/throwing-entry\.ts:4:9/);
    expect(stack).not.toMatch(FRAME_IN_SOURCE); // Node's format: the absolute path, not ours
  });

  it('map an uncaught error as Node prints it', () => {
    const result = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('./index.mjs'); m.failDeliberately('uncaught');"],
      { cwd: dir, encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH } },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(FRAME_IN_SOURCE);
  });
});
