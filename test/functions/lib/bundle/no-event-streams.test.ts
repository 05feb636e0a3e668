// Bundles resolve the SDK's event-stream module to a stand-in that fails clearly (lib/bundling.ts):
// the SDK's own dynamic import of it gets the stand-in, and nothing else in a bundle needs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { deployedBuildOptions } from '#lib/bundling.ts';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'lp-event-streams-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the event-stream stand-in', () => {
  it('is what the SDK’s dynamic import gets in a bundle, and says what to do', async () => {
    const entry = path.join(dir, 'entry.mjs');
    // The very import the SDK's HttpProtocol makes for an operation with an event stream.
    writeFileSync(entry, "export const load = () => import('@smithy/core/event-streams');\n");
    const outfile = path.join(dir, 'out', 'index.mjs');
    // nodePaths: the entry lives outside the project, the SDK inside it.
    await build({ ...deployedBuildOptions(ROOT), entryPoints: [entry], outfile, nodePaths: [path.join(ROOT, 'node_modules')] });
    expect(readFileSync(outfile, 'utf8')).not.toMatch(/EventStreamMarshaller|HeaderMarshaller/);
    const result = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('./index.mjs'); await m.load().catch((e) => console.log(e.message));"],
      { cwd: path.dirname(outfile), encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH } },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^AWS event streams are not bundled with these functions .*remove the @smithy\/core\/event-streams alias/,
    );
  });
});
