import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (one module, construct or function at a time, the simulator standing in for
 * LivePerson) and `integration` (the flow across components: receiver → SQS → processor → EventBridge,
 * the local stack, the benchmark's harness). `npm test` runs both; `npm run test:unit` and
 * `npm run test:integration` one each.
 */
const INTEGRATION = ['test/integration/**/*.test.ts', 'test/local/**/*.test.ts', 'test/bench/**/*.test.ts'];

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Tests never reach beyond loopback: the AWS SDK and LivePerson clients are pointed at local servers or mocks.
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: INTEGRATION } },
      { extends: true, test: { name: 'integration', include: INTEGRATION } },
    ],
  },
});
