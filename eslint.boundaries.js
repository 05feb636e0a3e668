// The code's boundaries, as lint rules (eslint.config.js applies them; test/lint/boundaries.test.ts
// shows each forbidden import failing). docs/architecture.md explains the layers.
//
// Patterns are gitignore-style and match the import string, so `**/aws/**` catches `../aws/config.ts`
// and `#functions/lib/aws/config.ts` alike, while `@aws-sdk/...` and `aws-lambda` need their own entries.

const AWS_SDK = { group: ['@aws-sdk/*'], message: 'AWS SDK calls belong in functions/lib/aws/ (an adapter implementing a port).' };
const POWERTOOLS = { group: ['@aws-lambda-powertools/*'], message: 'Powertools belongs in functions/lib/aws/ or functions/lib/lambda/.' };
// A pattern without a slash matches any path segment (`aws-lambda` would catch `aws-cdk-lib/aws-lambda`): anchor package names with a leading "/".
const LAMBDA = {
  group: ['/aws-lambda', '@middy/*'],
  message: 'Lambda types and middlewares belong in functions/lib/lambda/ and the handlers.',
};
const CDK = {
  group: ['/aws-cdk-lib', '/aws-cdk-lib/*', '/constructs', '/cdk-nag', '/cdk-nag/*'],
  message: 'CDK code belongs in lib/ and bin/.',
};
const ADAPTERS = {
  group: ['**/aws/**', '**/lambda/**', '**/platform.ts'],
  message:
    'Business code owns its ports (its ports.ts); functions/lib/aws/ and functions/lib/lambda/ implement and wire them, never the other way round.',
};
const BUSINESS = {
  group: ['**/processing/**', '**/connector/**', '**/ivr/**', '**/webhooks/**'],
  message: 'The LivePerson clients know nothing of the business code that uses them.',
};

// The functions and the contract use zod only as contract/zod.ts gives it (Zod Mini): classic zod
// would put ≈100 KiB more into every bundle and slow every cold start.
const ZOD = {
  group: ['/zod', '/zod/*'],
  message: "Use `import * as z from '#contract/zod.ts'` (Zod Mini, English messages): classic zod costs every bundle ≈100 KiB.",
};

const CDK_APP = { group: ['\\#lib/*'], message: 'The functions never import the CDK app (lib/).' };

// no-restricted-imports does not see `await import(...)`: the pure layers have no reason to load modules lazily.
const NO_DYNAMIC_IMPORT = [
  'error',
  { selector: 'ImportExpression', message: 'No dynamic import() here: the layer rules cannot check it.' },
];

/** Which folder may import what. */
export const boundaries = [
  {
    name: 'boundaries/contract',
    files: ['contract/**/*.ts'],
    ignores: ['contract/zod.ts'],
    rules: {
      'no-restricted-syntax': NO_DYNAMIC_IMPORT,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            AWS_SDK,
            POWERTOOLS,
            LAMBDA,
            CDK,
            ZOD,
            {
              group: [
                '**/functions/**',
                '**/lib/**',
                '**/simulator/**',
                '**/local/**',
                '**/cli/**',
                '**/test/**',
                '\\#*',
                '!\\#contract/*',
              ],
              message: 'contract/ is the bottom layer: it imports only zod (through contract/zod.ts) and itself.',
            },
          ],
        },
      ],
    },
  },
  {
    name: 'boundaries/liveperson',
    files: ['functions/lib/liveperson/**/*.ts'],
    rules: {
      'no-restricted-syntax': NO_DYNAMIC_IMPORT,
      'no-restricted-imports': ['error', { patterns: [AWS_SDK, POWERTOOLS, LAMBDA, CDK, CDK_APP, ADAPTERS, BUSINESS, ZOD] }],
    },
  },
  {
    name: 'boundaries/business',
    files: ['functions/lib/{processing,connector,ivr,webhooks}/**/*.ts'],
    rules: {
      'no-restricted-syntax': NO_DYNAMIC_IMPORT,
      'no-restricted-imports': ['error', { patterns: [AWS_SDK, POWERTOOLS, LAMBDA, CDK, CDK_APP, ADAPTERS, ZOD] }],
    },
  },
  {
    name: 'boundaries/functions',
    files: ['functions/**/*.ts'],
    ignores: ['functions/lib/liveperson/**', 'functions/lib/{processing,connector,ivr,webhooks}/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [CDK, CDK_APP, ZOD],
        },
      ],
    },
  },
  {
    name: 'boundaries/cdk',
    files: ['lib/**/*.ts', 'bin/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            AWS_SDK,
            POWERTOOLS,
            LAMBDA,
            {
              group: ['**/functions/**', '\\#functions/*'],
              message: 'The CDK app shares only contract/ with the functions, never their run-time code.',
            },
          ],
        },
      ],
    },
  },
];
