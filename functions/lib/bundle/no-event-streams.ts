// Bundles resolve `@smithy/core/event-streams` here (lib/bundling.ts, BUNDLE_ALIASES). The SDK's HTTP
// protocol imports that module dynamically, and only for an operation with an event stream (Bedrock's
// or Transcribe's streaming calls, S3 SelectObjectContent); none of the operations these functions
// call (SQS, Secrets Manager, SSM, DynamoDB, EventBridge) has one. esbuild still inlines a dynamic
// import, so ≈17 KiB of codecs and marshallers were compiled at every cold start for nothing.
// Should an operation ever need one, its call fails with this error instead of silently misbehaving.
throw new Error(
  'AWS event streams are not bundled with these functions (lib/bundling.ts): remove the @smithy/core/event-streams alias to call an operation that streams events',
);
