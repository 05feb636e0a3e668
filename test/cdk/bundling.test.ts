// The one test that really bundles: local esbuild (no Docker) must produce an ESM handler with the
// AWS SDK inside. The other CDK tests skip bundling for speed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from './helpers.ts';

const outdir = mkdtempSync(path.join(tmpdir(), 'lp-cdk-bundle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('NodejsFunction bundling', () => {
  it('bundles domain-refresh locally into a self-contained index.mjs', { timeout: 60_000 }, () => {
    const { app, stack } = buildApp({ accountId: '12345678' }, { 'aws:cdk:bundling-stacks': ['**'] }, { outdir });
    // No Docker on the build machines: any attempt to use it fails this test instead of hanging.
    const previousDocker = process.env.CDK_DOCKER;
    process.env.CDK_DOCKER = '/nonexistent/docker';
    let assembly;
    try {
      assembly = app.synth();
    } finally {
      if (previousDocker === undefined) delete process.env.CDK_DOCKER;
      else process.env.CDK_DOCKER = previousDocker;
    }
    // The whole app bundles (synth throws otherwise); this test inspects the domain-refresh asset.
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function', {
      Properties: { Runtime: 'nodejs24.x', Handler: 'index.handler' },
    });
    const assetPaths = Object.values(functions)
      .map((f) => (f as { Metadata: Record<string, string> }).Metadata)
      .filter((metadata) => metadata['aws:cdk:path']?.includes('/Domains/Refresh/Function/'))
      .map((metadata) => metadata['aws:asset:path']);
    expect(assetPaths).toHaveLength(1);
    const assetDir = path.join(assembly.directory, assetPaths[0] ?? '');

    expect(readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const code = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
    expect(
      code.startsWith(
        "import { createRequire as __lpCreateRequire } from 'node:module'; const require = __lpCreateRequire(import.meta.url);",
      ),
    ).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
    // Minified, and everything but Node built-ins is inside: the runtime's own SDK is never used.
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000); // long lines: minified
    const imported = [...code.matchAll(/\bfrom\s*["']([^"']+)["']/g)].map((m) => m[1]);
    expect(imported.filter((specifier) => !specifier?.startsWith('node:'))).toEqual([]);
    expect(existsSync(path.join(assetDir, 'index.js'))).toBe(false);

    // The cold-start levers (lib/bundling.ts) are in what is deployed: node:http reached through its
    // CommonJS object, Lambda's credential chain instead of the SDK's (no SSO, STS or sign-in
    // clients), no event-stream codecs, stack traces mapped by the bundle, and so no --enable-source-maps.
    expect(imported).not.toContain('node:http');
    expect(imported).not.toContain('node:https');
    const sources = (JSON.parse(readFileSync(path.join(assetDir, 'index.mjs.map'), 'utf8')) as { sources: string[] }).sources;
    expect(sources).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/functions\/lib\/bundle\/source-mapped-stacks\.ts$/),
        expect.stringMatching(/functions\/lib\/bundle\/lambda-credentials\.ts$/),
        expect.stringMatching(/functions\/lib\/bundle\/node-http\.cjs$/),
        expect.stringMatching(/functions\/lib\/bundle\/no-event-streams\.ts$/),
      ]),
    );
    expect(
      sources.filter((source) =>
        /credential-provider-(node|ini|sso|web-identity|process)|nested-clients|@smithy\/core\/dist-es\/submodules\/event-streams|\/zod\/v4\/locales\/(?!en\.js|index\.js)/.test(
          source,
        ),
      ),
    ).toEqual([]);
    const variables = Object.values(functions).map(
      (f) => (f as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables,
    );
    expect(variables.filter((v) => 'NODE_OPTIONS' in v)).toEqual([]);

    // The proof that matters: the bundle loads where no node_modules exist, as on Lambda.
    const isolated = mkdtempSync(path.join(tmpdir(), 'lp-cdk-load-'));
    try {
      copyFileSync(path.join(assetDir, 'index.mjs'), path.join(isolated, 'index.mjs'));
      const loaded = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', "const m = await import('./index.mjs'); process.stdout.write(typeof m.handler);"],
        {
          cwd: isolated,
          encoding: 'utf8',
          timeout: 20_000,
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'us-east-1',
            LP_ACCOUNT_ID: '12345678',
            LP_SECRET_ID: 'liveperson/12345678/credentials',
            LP_DOMAIN_PARAMETER_PATH: '/liveperson/12345678/domains/',
            LP_CSDS_URL: 'https://api.liveperson.net',
          },
        },
      );
      expect(loaded.stderr).toBe('');
      expect(loaded.stdout).toBe('function');
    } finally {
      rmSync(isolated, { recursive: true, force: true });
    }
  });
});
