export { lambdaContext } from '#local/lambda-context.ts';
