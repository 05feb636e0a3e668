import 'aws-sdk-client-mock-vitest/extend';
import fc from 'fast-check';

// Property tests: in CI the generated inputs are the same every run (FC_SEED overrides the seed), so
// a red run is reproducible; elsewhere every run explores new inputs.
if (process.env.CI) fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261123) });
