// Prints the C2M contact flow ready to import into the Amazon Connect console:
//   npx node lib/contact-flows/render-c2m-flow.ts --function-arn <C2mInviteFunctionArn output> [--queue-arn <queue ARN>] > c2m-flow.json
import { parseArgs } from 'node:util';
import { renderC2mDeflectionFlow } from './c2m-deflection.ts';

const FUNCTION_ARN = /^arn:aws[-a-z]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;
const QUEUE_ARN = /^arn:aws[-a-z]*:connect:[a-z0-9-]+:\d{12}:instance\/[0-9a-f-]{36}\/queue\/[0-9a-f-]{36}$/;

const USAGE =
  'Usage: npx node lib/contact-flows/render-c2m-flow.ts --function-arn <c2m-invite function ARN> [--queue-arn <fallback queue ARN>]';

function main(argv: readonly string[]): number {
  let values: { 'function-arn'?: string | undefined; 'queue-arn'?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { 'function-arn': { type: 'string' }, 'queue-arn': { type: 'string' }, help: { type: 'boolean' } },
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const functionArn = values['function-arn'];
  const queueArn = values['queue-arn'];
  if (functionArn === undefined || !FUNCTION_ARN.test(functionArn)) {
    console.error(`--function-arn must be a Lambda function ARN (the stack's C2mInviteFunctionArn output)\n${USAGE}`);
    return 2;
  }
  if (queueArn !== undefined && !QUEUE_ARN.test(queueArn)) {
    console.error(`--queue-arn must be an Amazon Connect queue ARN: arn:aws:connect:<region>:<account>:instance/<id>/queue/<id>\n${USAGE}`);
    return 2;
  }
  console.log(JSON.stringify(renderC2mDeflectionFlow({ functionArn, fallbackQueueArn: queueArn }), null, 2));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
