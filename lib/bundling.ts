// esbuild settings shared by the Lambda construct and the cold-start benchmark, so what is measured
// is what is deployed. No CDK import here: the benchmark loads this without the CDK.
// The README's "Benchmark" section shows what each of these levers bought.

/** CommonJS dependencies inside an ESM bundle still call require() for Node built-ins. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __lpCreateRequire } from 'node:module'; const require = __lpCreateRequire(import.meta.url);";

export const BUNDLE_TARGET = 'node24';
export const BUNDLE_MAIN_FIELDS = ['module', 'main'];

/**
 * Imports a bundle resolves to modules of ours, paths relative to the project root (esbuild's
 * working directory):
 * - `node:http` and `node:https` as their CommonJS objects: Node's ES module facade of a built-in
 *   reads every export, and http's lazy getters then load undici (≈30 ms of each cold start).
 * - the SDK's default credential chain cut to the two sources Lambda provides (≈100 KiB less).
 * - the SDK's event-stream codecs, which no operation the functions call uses (≈17 KiB less).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  'node:http': './functions/lib/bundle/node-http.cjs',
  http: './functions/lib/bundle/node-http.cjs',
  'node:https': './functions/lib/bundle/node-https.cjs',
  https: './functions/lib/bundle/node-https.cjs',
  '@aws-sdk/credential-provider-node': './functions/lib/bundle/lambda-credentials.ts',
  '@smithy/core/event-streams': './functions/lib/bundle/no-event-streams.ts',
};

/** Run first in every bundle: stack traces mapped to the sources when printed, not at load (no --enable-source-maps). */
export const BUNDLE_INJECT: readonly string[] = ['./functions/lib/bundle/source-mapped-stacks.ts'];

/**
 * No esbuild keepNames: it cost 20–35 KiB per bundle. Error classes name themselves
 * (test/lint/error-names.test.ts) and mapped stack frames take function names from the source map.
 */
export const BUNDLE_KEEP_NAMES = false;

/** The deployed settings for esbuild's own API: the benchmark's lever builds and the bundle tests use these. */
export function deployedBuildOptions(projectRoot: string) {
  return {
    absWorkingDir: projectRoot,
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: BUNDLE_TARGET,
    minify: true,
    keepNames: BUNDLE_KEEP_NAMES,
    sourcemap: true,
    sourcesContent: false,
    mainFields: [...BUNDLE_MAIN_FIELDS],
    banner: { js: ESM_REQUIRE_BANNER },
    alias: Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([from, to]) => [from, `${projectRoot}/${to.replace(/^\.\//, '')}`])),
    inject: BUNDLE_INJECT.map((file) => `${projectRoot}/${file.replace(/^\.\//, '')}`),
    logLevel: 'silent' as const,
  };
}
