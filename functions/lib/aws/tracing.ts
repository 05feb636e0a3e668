/**
 * X-Ray tracing through Powertools Tracer, loaded only where it traces: in a Lambda function with
 * POWERTOOLS_TRACE_ENABLED=true (the construct sets it with active tracing). Importing the X-Ray SDK
 * installs an async hook (cls-hooked) that runs on every promise of the process, a cost worth paying
 * only when the trace is sent; tests, the local stack and `tracing: false` deployments never load it.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { CallTracer, TracedCall } from '../liveperson/http.ts';

export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  // Powertools traces only in a Lambda execution environment (AWS_EXECUTION_ENV=AWS_Lambda_nodejs24.x) too.
  return env.POWERTOOLS_TRACE_ENABLED === 'true' && (env.AWS_EXECUTION_ENV ?? '').startsWith('AWS_Lambda_');
}

/**
 * The function's tracer, or undefined when it does not trace. No automatic HTTP capture: a URL can
 * carry what must not leave the function (the AppJWT request's form is in the body, but a query
 * may hold ids); LivePerson calls get subsegments of their own, named by operation (tracedCalls).
 */
export const tracer: Tracer | undefined = tracingEnabled()
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ captureHTTPsRequests: false })
  : undefined;

/** The client, with each AWS call a subsegment of the invocation's trace when tracing is on. */
export function traced<C>(client: C): C {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

/**
 * Each LivePerson call as a subsegment `LivePerson <operation>` of the invocation's trace, annotated
 * with the host, the last HTTP status and the retries: nothing else of the call (no path, query,
 * header or body, so no token, signature or phone number), and an error by its class name only.
 * The subsegment is not made the current segment: calls run side by side (the processor's
 * conversations), and nothing inside a LivePerson call is traced.
 */
export function livePersonCallTracer(active: Tracer | undefined = tracer): CallTracer | undefined {
  if (active === undefined) return undefined;
  return {
    async trace<T>(call: TracedCall, run: () => Promise<T>): Promise<T> {
      const parent = active.getSegment();
      if (parent === undefined) return run();
      const subsegment = parent.addNewSubsegment(`LivePerson ${call.operation}`.slice(0, 200));
      try {
        return await run();
      } catch (error) {
        subsegment.addAnnotation('errorName', error instanceof Error ? error.name : 'unknown');
        if (call.status !== undefined && call.status < 500) subsegment.addErrorFlag();
        else subsegment.addFaultFlag();
        throw error;
      } finally {
        subsegment.addAnnotation('livePersonOperation', call.operation);
        subsegment.addAnnotation('livePersonHost', call.host);
        if (call.status !== undefined) subsegment.addAnnotation('httpStatus', call.status);
        subsegment.addAnnotation('retries', call.retries);
        subsegment.close();
      }
    },
  };
}
