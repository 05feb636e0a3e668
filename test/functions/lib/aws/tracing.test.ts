// Tracing as deployed: Powertools Tracer in a Lambda execution environment sends its subsegments to
// the X-Ray daemon over UDP, here a socket on loopback. Each LivePerson call is a subsegment named by
// its operation with only its host, status and retries; the handler's own subsegment carries
// ColdStart and Service; nothing of the caller, the token or the answer reaches the trace. Off
// (tests, the local stack, tracing: false) the X-Ray SDK is not even loaded.
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import * as path from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { livePersonCallTracer } from '#functions/lib/aws/tracing.ts';
import { LivePersonHttpClient, type CallTracer, type TracedCall } from '#functions/lib/liveperson/http.ts';
import { startLivePersonSimulator, type LivePersonSimulator } from '#simulator/index.ts';
import { CALLER, contactFlowEvent, stubC2mEnvironment } from '#test/functions/c2m-invite/contact-flow-event.ts';
import { lambdaContext } from '#test/support/lambda-context.ts';
import { startScriptedServer } from '#test/support/scripted-server.ts';

interface Subsegment {
  name: string;
  trace_id: string;
  parent_id: string;
  annotations?: Record<string, unknown>;
  metadata?: unknown;
}

const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';
const ROOT = path.resolve(import.meta.dirname, '../../../..');

describe('tracing in a Lambda execution environment (X-Ray daemon on loopback)', () => {
  let daemon: Socket | undefined;
  let sim: LivePersonSimulator | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    daemon?.close();
    await sim?.close();
  });

  it('sends a subsegment per LivePerson call and one for the invocation, with no caller, token or answer in them', async () => {
    daemon = createSocket('udp4');
    const datagrams: string[] = [];
    daemon.on('message', (message) => datagrams.push(message.toString()));
    await new Promise<void>((resolve) => daemon?.bind(0, '127.0.0.1', resolve));
    sim = await startLivePersonSimulator();
    stubC2mEnvironment(sim, { allowInsecureHosts: true });
    mockClient(SecretsManagerClient)
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret }) });
    mockClient(SSMClient)
      .on(GetParameterCommand)
      .rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    // What Lambda sets for a traced function (the construct sets POWERTOOLS_TRACE_ENABLED with active tracing).
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    vi.stubEnv('LAMBDA_TASK_ROOT', '/var/task');
    vi.stubEnv('_HANDLER', 'index.handler');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'c2m-invite');
    vi.stubEnv('AWS_XRAY_DAEMON_ADDRESS', `127.0.0.1:${daemon.address().port}`);
    vi.stubEnv('_X_AMZN_TRACE_ID', `Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1`);
    vi.resetModules();
    const { handler } = await import('#functions/c2m-invite/index.ts');
    const answer = await handler(contactFlowEvent(), lambdaContext('c2m-invite', 7_000));
    expect(answer.result).toBe('INVITED');
    await vi.waitFor(() => expect(datagrams.some((datagram) => datagram.includes('"## index.handler"'))).toBe(true));

    const subsegments = datagrams.map((datagram) => JSON.parse(datagram.slice(datagram.indexOf('\n') + 1)) as Subsegment);
    expect(new Set(subsegments.map((subsegment) => subsegment.trace_id))).toEqual(new Set([TRACE_ID]));
    const invocation = subsegments.find((subsegment) => subsegment.name === '## index.handler');
    expect(invocation?.annotations).toMatchObject({ Service: 'c2m-invite', ColdStart: expect.any(Boolean) });
    const calls = subsegments.filter((subsegment) => subsegment.name.startsWith('LivePerson '));
    expect(calls.map((subsegment) => subsegment.name)).toEqual(
      expect.arrayContaining(['LivePerson C2M eligibility', 'LivePerson C2M invite']),
    );
    for (const call of calls) {
      expect(Object.keys(call.annotations ?? {}).sort()).toEqual(['httpStatus', 'livePersonHost', 'livePersonOperation', 'retries']);
      expect(call.annotations).toMatchObject({ httpStatus: 200, retries: 0, livePersonHost: new URL(sim.url).host });
    }
    // The eligibility and invite of this invocation hang under its subsegment.
    const eligibility = calls.find((subsegment) => subsegment.name === 'LivePerson C2M eligibility');
    expect(eligibility?.parent_id).toBe((invocation as { id?: string } | undefined)?.id);
    const everything = datagrams.join('\n');
    for (const secret of [CALLER, CALLER.slice(-10), sim.credentials.clientSecret, answer.callId, 'Bearer', 'authorization']) {
      expect(everything).not.toContain(secret);
    }
    expect(subsegments.every((subsegment) => subsegment.metadata === undefined)).toBe(true);
  });
});

describe('livePersonCallTracer', () => {
  function fakeTracer() {
    const subsegments: Array<{ name: string; annotations: Record<string, unknown>; flags: string[]; closed: boolean }> = [];
    const segment = {
      addNewSubsegment(name: string) {
        const subsegment = { name, annotations: {} as Record<string, unknown>, flags: [] as string[], closed: false };
        subsegments.push(subsegment);
        return {
          addAnnotation: (key: string, value: unknown) => void (subsegment.annotations[key] = value),
          addErrorFlag: () => void subsegment.flags.push('error'),
          addFaultFlag: () => void subsegment.flags.push('fault'),
          close: () => void (subsegment.closed = true),
        };
      },
    };
    const tracer = { getSegment: () => segment } as unknown as Parameters<typeof livePersonCallTracer>[0];
    return { tracer, subsegments };
  }

  it('records the last status and the retries of a call the HTTP client retried', async () => {
    const server = await startScriptedServer();
    try {
      server.script({ status: 503, body: {} }, { status: 200, body: { ok: true } });
      const { tracer, subsegments } = fakeTracer();
      const http = new LivePersonHttpClient({ tracer: livePersonCallTracer(tracer), sleep: async () => undefined });
      await http.request({ operation: 'CSDS lookup of all services', url: `${server.url}/api/account/1/service/baseURI.json?version=1.0` });
      expect(subsegments).toEqual([
        {
          name: 'LivePerson CSDS lookup of all services',
          annotations: {
            livePersonOperation: 'CSDS lookup of all services',
            livePersonHost: new URL(server.url).host,
            httpStatus: 200,
            retries: 1,
          },
          flags: [],
          closed: true,
        },
      ]);
    } finally {
      await server.close();
    }
  });

  it('marks a refusal as an error and a server failure as a fault, by class name only', async () => {
    const { tracer, subsegments } = fakeTracer();
    const callTracer = livePersonCallTracer(tracer) as CallTracer;
    const call = (status: number | undefined): TracedCall => ({ operation: 'C2M invite', host: 'va.example', status, retries: 0 });
    const refusal = Object.assign(new Error('C2M invite: HTTP 400 for +12065550100'), { name: 'LivePersonApiError' });
    await expect(callTracer.trace(call(400), () => Promise.reject(refusal))).rejects.toBe(refusal);
    await expect(callTracer.trace(call(undefined), () => Promise.reject(new TypeError('socket hang up')))).rejects.toThrow();
    expect(subsegments.map(({ flags, annotations }) => [flags, annotations.errorName])).toEqual([
      [['error'], 'LivePersonApiError'],
      [['fault'], 'TypeError'],
    ]);
    expect(JSON.stringify(subsegments)).not.toContain('+1206');
  });

  it('is nothing without a tracer, and passes a call through without a segment', async () => {
    expect(livePersonCallTracer(undefined)).toBeUndefined();
    const tracer = { getSegment: () => undefined } as unknown as Parameters<typeof livePersonCallTracer>[0];
    const call: TracedCall = { operation: 'x', host: 'h', status: undefined, retries: 0 };
    expect(await livePersonCallTracer(tracer)?.trace(call, async () => 42)).toBe(42);
  });
});

describe('tracing off', () => {
  /** Which modules a fresh Node process loads for the handlers' telemetry, in the given environment. */
  function loadsXRaySdk(env: Record<string, string>): boolean {
    const script = [
      "import { registerHooks } from 'node:module';",
      'const loaded = [];',
      'registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });',
      "await import('#functions/lib/lambda/telemetry.ts');",
      "process.stdout.write(String(loaded.some((url) => url.includes('/aws-xray-sdk-core/'))));",
    ].join('\n');
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    return result.stdout === 'true';
  }

  it('does not load the X-Ray SDK (and its async hook) unless the function traces in Lambda', () => {
    expect(loadsXRaySdk({})).toBe(false);
    expect(loadsXRaySdk({ POWERTOOLS_TRACE_ENABLED: 'true' })).toBe(false);
    expect(loadsXRaySdk({ POWERTOOLS_TRACE_ENABLED: 'false', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' })).toBe(false);
    expect(loadsXRaySdk({ POWERTOOLS_TRACE_ENABLED: 'true', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' })).toBe(true);
  });
});
