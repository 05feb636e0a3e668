// esbuild settings shared by the Lambda construct and the cold-start benchmark, so what is measured
// is what is deployed. No CDK import here: the benchmark loads this without the CDK.

/** CommonJS dependencies inside an ESM bundle still call require() for Node built-ins. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __lpCreateRequire } from 'node:module'; const require = __lpCreateRequire(import.meta.url);";

export const BUNDLE_TARGET = 'node24';
export const BUNDLE_MAIN_FIELDS = ['module', 'main'];
