/**
 * Secrets Manager, SSM Parameter Store and EventBridge PutEvents on loopback, for the tests, the
 * benchmark and the local stack: one HTTP server speaking the AWS JSON 1.1 protocol (POST /,
 * `x-amz-target`) for the few calls our handlers make. No npm package emulates these, and the real SDK clients
 * (and Powertools parameters on top of them) must run unchanged, so the wire format follows
 * what @aws-sdk/core's AwsJson1_1Protocol sends and expects: timestamps as epoch seconds, errors
 * as HTTP 400 with `__type` and the message under the member name each service's model uses.
 *
 * Point clients at it with `endpoint`, or with AWS_ENDPOINT_URL_SECRETS_MANAGER,
 * AWS_ENDPOINT_URL_SSM and AWS_ENDPOINT_URL_EVENTBRIDGE set to it (the target names the service).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsStandInsOptions {
  /** Secret name → SecretString, created as version AWSCURRENT. */
  readonly secrets?: Record<string, string>;
  /** Parameter name → value, created as String parameters, version 1. */
  readonly parameters?: Record<string, string>;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Region in the ARNs handed out. @default AWS_REGION or us-east-1 */
  readonly region?: string;
}

/** An event accepted by the EventBridge stand-in's PutEvents. */
export interface PublishedEvent {
  readonly eventId: string;
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly time: string;
  /** The X-Ray trace the PutEvents call was made in (its X-Amzn-Trace-Id Root), as EventBridge passes it on to targets. */
  readonly traceId?: string;
}

/** What an operation knows of its request besides the body. */
interface CallContext {
  readonly traceId: string | undefined;
}

/** One request as received: the `x-amz-target` header and the parsed JSON body. */
export interface AwsCall {
  readonly target: string;
  readonly body: unknown;
}

export interface AwsStandIns {
  /** http://127.0.0.1:PORT: the value for AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL_SSM and AWS_ENDPOINT_URL_EVENTBRIDGE. */
  readonly endpoint: string;
  /** Creates the secret, or stores a new AWSCURRENT version of it (the old one becomes AWSPREVIOUS). */
  setSecret(name: string, value: string): void;
  /** Creates the String parameter, or overwrites it with the next version. */
  setParameter(name: string, value: string): void;
  /** The AWSCURRENT SecretString, or undefined. */
  secret(name: string): string | undefined;
  /** The latest value, or undefined. */
  parameter(name: string): string | undefined;
  /** Removes a parameter, as if it had never been written (failure tests). */
  deleteParameter(name: string): void;
  /** Every request received so far, in order (a copy). */
  calls(): AwsCall[];
  /** Events accepted by PutEvents, in order (a copy). */
  events(): PublishedEvent[];
  /** Told of each event PutEvents accepts (the local stack prints them). */
  onEvent(listener: (event: PublishedEvent) => void): void;
  /** Makes PutEvents refuse the next `count` entries with this error code (fault injection). */
  refuseEvents(count: number, errorCode?: string): void;
  stop(): Promise<void>;
}

const ACCOUNT_ID = '000000000000';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_REQUEST_BYTES = 1024 * 1024;
const SECRETS_TARGET = 'secretsmanager.';
const SSM_TARGET = 'AmazonSSM.';
const EVENTS_TARGET = 'AWSEvents.';

interface SecretVersion {
  readonly versionId: string;
  readonly secretString?: string | undefined;
  /** Base64, as the SDK sends and expects blobs in JSON. */
  readonly secretBinary?: string | undefined;
  readonly createdDate: number;
  stages: string[];
}

interface StoredSecret {
  readonly name: string;
  readonly arn: string;
  readonly versions: SecretVersion[];
}

interface ParameterVersion {
  readonly value: string;
  readonly version: number;
  readonly type: ParameterType;
  readonly lastModifiedDate: number;
}

interface StoredParameter {
  readonly name: string;
  readonly versions: ParameterVersion[];
}

type ParameterType = 'String' | 'StringList' | 'SecureString';
const PARAMETER_TYPES: readonly string[] = ['String', 'StringList', 'SecureString'];

/** An error as the SDK reads it: `__type` names the exception class it throws. */
class AwsError extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

type Body = Record<string, unknown>;

export async function startAwsStandIns(options: AwsStandInsOptions = {}): Promise<AwsStandIns> {
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const secrets = new Map<string, StoredSecret>();
  const parameters = new Map<string, StoredParameter>();
  const received: AwsCall[] = [];
  const now = () => Date.now() / 1000; // the protocol's timestamp format: epoch seconds

  // ---- Secrets Manager ----

  function findSecret(secretId: unknown): StoredSecret {
    const id = requireString(secretId, 'SecretId');
    const byName = secrets.get(id);
    if (byName) return byName;
    for (const secret of secrets.values()) {
      // A full ARN, or a partial one without the random suffix Secrets Manager appends.
      if (secret.arn === id || secret.arn.slice(0, -7) === id) return secret;
    }
    throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  }

  function createSecret(name: string): StoredSecret {
    // Real ARNs end in "-" and six random characters; code that rebuilds ARNs from names breaks here too.
    const suffix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);
    const secret: StoredSecret = { name, arn: `arn:aws:secretsmanager:${region}:${ACCOUNT_ID}:secret:${name}-${suffix}`, versions: [] };
    secrets.set(name, secret);
    return secret;
  }

  /** Adds a version holding `stages`; a stage moves off the version that held it, AWSCURRENT leaving AWSPREVIOUS behind. */
  function addSecretVersion(
    secret: StoredSecret,
    value: { secretString?: string; secretBinary?: string },
    versionId: string,
    stages: string[],
  ): SecretVersion {
    const previousCurrent = secret.versions.find((v) => v.stages.includes('AWSCURRENT'));
    for (const version of secret.versions) version.stages = version.stages.filter((stage) => !stages.includes(stage));
    if (previousCurrent && stages.includes('AWSCURRENT')) {
      for (const version of secret.versions) version.stages = version.stages.filter((stage) => stage !== 'AWSPREVIOUS');
      previousCurrent.stages.push('AWSPREVIOUS');
    }
    const version: SecretVersion = { versionId, ...value, createdDate: now(), stages: [...stages] };
    secret.versions.push(version);
    return version;
  }

  function getSecretValue(body: Body): Body {
    const secret = findSecret(body.SecretId);
    const versionId = optionalString(body.VersionId, 'VersionId');
    const stage = optionalString(body.VersionStage, 'VersionStage') ?? (versionId === undefined ? 'AWSCURRENT' : undefined);
    const version = secret.versions.find(
      (v) => (versionId === undefined || v.versionId === versionId) && (stage === undefined || v.stages.includes(stage)),
    );
    if (!version) {
      throw new AwsError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for ${versionId === undefined ? `staging label: ${stage}` : `VersionId: ${versionId}`}`,
      );
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...(version.secretString === undefined ? {} : { SecretString: version.secretString }),
      ...(version.secretBinary === undefined ? {} : { SecretBinary: version.secretBinary }),
      VersionStages: [...version.stages],
      CreatedDate: version.createdDate,
    };
  }

  function putSecretValue(body: Body): Body {
    const secret = findSecret(body.SecretId);
    const secretString = optionalString(body.SecretString, 'SecretString');
    const secretBinary = optionalString(body.SecretBinary, 'SecretBinary');
    if ((secretString === undefined) === (secretBinary === undefined)) {
      throw new AwsError('InvalidParameterException', 'You must provide either SecretString or SecretBinary, but not both.');
    }
    const token = optionalString(body.ClientRequestToken, 'ClientRequestToken');
    const stages = body.VersionStages === undefined ? ['AWSCURRENT'] : requireStringList(body.VersionStages, 'VersionStages');
    const existing = token === undefined ? undefined : secret.versions.find((v) => v.versionId === token);
    if (existing) {
      // The same token again is a retry: fine with the same value, an error with another.
      if (existing.secretString !== secretString || existing.secretBinary !== secretBinary) {
        throw new AwsError('ResourceExistsException', `A version with VersionId ${token} already exists with a different value.`);
      }
      return { ARN: secret.arn, Name: secret.name, VersionId: existing.versionId, VersionStages: [...existing.stages] };
    }
    const version = addSecretVersion(secret, { secretString, secretBinary }, token ?? randomUUID(), stages);
    return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: [...version.stages] };
  }

  // ---- SSM Parameter Store ----

  function parameterArn(name: string): string {
    return `arn:aws:ssm:${region}:${ACCOUNT_ID}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
  }

  /** Name, ARN, or either with a `:version` selector. */
  function findParameter(reference: string): { parameter: StoredParameter; version: ParameterVersion; selector?: string } | undefined {
    let name = reference;
    const arnPrefix = `arn:aws:ssm:${region}:${ACCOUNT_ID}:parameter`;
    if (name.startsWith(arnPrefix)) {
      name = name.slice(arnPrefix.length);
      const candidate = parameters.get(name) ?? parameters.get(name.slice(1)); // "parameter/x" names "x"
      if (candidate) return latest(candidate);
    }
    const direct = parameters.get(name);
    if (direct) return latest(direct);
    const selector = /^(.*):(\d+)$/.exec(name);
    if (selector) {
      const parameter = parameters.get(selector[1] ?? '') ?? parameters.get((selector[1] ?? '').slice(1));
      const version = parameter?.versions.find((v) => v.version === Number(selector[2]));
      if (parameter && version) return { parameter, version, selector: `:${selector[2]}` };
    }
    return undefined;
  }

  function latest(parameter: StoredParameter) {
    const version = parameter.versions.at(-1);
    if (!version) throw new Error(`parameter ${parameter.name} has no versions`);
    return { parameter, version };
  }

  function describeParameter(found: { parameter: StoredParameter; version: ParameterVersion; selector?: string }, decrypt: boolean): Body {
    const { parameter, version } = found;
    // Without WithDecryption AWS returns a SecureString's ciphertext, not its value: so does this.
    const value =
      version.type === 'SecureString' && !decrypt ? Buffer.from(`encrypted:${version.value}`).toString('base64') : version.value;
    return {
      Name: parameter.name,
      Type: version.type,
      Value: value,
      Version: version.version,
      ...(found.selector === undefined ? {} : { Selector: found.selector }),
      LastModifiedDate: version.lastModifiedDate,
      ARN: parameterArn(parameter.name),
      DataType: 'text',
    };
  }

  function getParameter(body: Body): Body {
    const name = requireString(body.Name, 'Name');
    const found = findParameter(name);
    if (!found) throw new AwsError('ParameterNotFound', `Parameter ${name} not found.`);
    return { Parameter: describeParameter(found, body.WithDecryption === true) };
  }

  function getParameters(body: Body): Body {
    const names = requireStringList(body.Names, 'Names');
    if (names.length < 1 || names.length > 10) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10`,
      );
    }
    const found: Body[] = [];
    const invalid: string[] = [];
    for (const name of new Set(names)) {
      const hit = findParameter(name);
      if (hit) found.push(describeParameter(hit, body.WithDecryption === true));
      else invalid.push(name);
    }
    return { Parameters: found, InvalidParameters: invalid };
  }

  function getParametersByPath(body: Body): Body {
    const path = requireString(body.Path, 'Path');
    if (!path.startsWith('/'))
      throw new AwsError(
        'ValidationException',
        `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/".`,
      );
    if (body.ParameterFilters !== undefined)
      throw new AwsError('ValidationException', 'ParameterFilters are not supported by the local stand-in');
    const maxResults = body.MaxResults === undefined ? 10 : body.MaxResults;
    if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 10) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 10`,
      );
    }
    const recursive = body.Recursive === true;
    // "/a/b" and "/a/b/" name the same level of the hierarchy.
    const prefix = path === '/' ? '/' : `${path.replace(/\/+$/, '')}/`;
    const matching = [...parameters.keys()]
      .filter((name) => name.startsWith(prefix) && name.length > prefix.length && (recursive || !name.slice(prefix.length).includes('/')))
      .sort();

    // The token pins the query it belongs to, so one from another path is refused, as AWS does.
    let offset = 0;
    if (body.NextToken !== undefined) {
      const token = decodeToken(requireString(body.NextToken, 'NextToken'));
      if (!token || token.path !== prefix || token.recursive !== recursive)
        throw new AwsError('InvalidNextToken', 'The specified token is not valid.');
      offset = token.offset;
    }
    const page = matching.slice(offset, offset + maxResults);
    const next = offset + page.length;
    return {
      Parameters: page.map((name) => describeParameter(latest(parameters.get(name) as StoredParameter), body.WithDecryption === true)),
      ...(next < matching.length ? { NextToken: encodeToken({ path: prefix, recursive, offset: next }) } : {}),
    };
  }

  function putParameter(body: Body): Body {
    const name = requireString(body.Name, 'Name');
    const value = requireString(body.Value, 'Value');
    const type = optionalString(body.Type, 'Type');
    if (type !== undefined && !PARAMETER_TYPES.includes(type)) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
      );
    }
    if (name.includes('/') && !name.startsWith('/')) {
      throw new AwsError(
        'ValidationException',
        'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it must begin with a forward slash "/".',
      );
    }
    if (value.length === 0)
      throw new AwsError(
        'ValidationException',
        "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    const existing = parameters.get(name);
    if (existing && body.Overwrite !== true) {
      throw new AwsError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    const previous = existing?.versions.at(-1);
    const version: ParameterVersion = {
      value,
      version: (previous?.version ?? 0) + 1,
      type: (type ?? previous?.type ?? 'String') as ParameterType,
      lastModifiedDate: now(),
    };
    if (existing) existing.versions.push(version);
    else parameters.set(name, { name, versions: [version] });
    return { Version: version.version, Tier: 'Standard' };
  }

  const published: PublishedEvent[] = [];
  const eventListeners: Array<(event: PublishedEvent) => void> = [];
  let refusals: { count: number; errorCode: string } = { count: 0, errorCode: 'InternalFailure' };

  // PutEvents answers per entry, in request order; a refused entry carries an ErrorCode.
  function putEvents(body: Body, call: CallContext): Body {
    if (!Array.isArray(body.Entries) || body.Entries.length === 0 || body.Entries.length > 10) {
      throw new AwsError('ValidationException', 'Entries must hold 1 to 10 entries');
    }
    let failed = 0;
    const entries = (body.Entries as Body[]).map((entry) => {
      if (refusals.count > 0) {
        refusals = { ...refusals, count: refusals.count - 1 };
        failed++;
        return { ErrorCode: refusals.errorCode, ErrorMessage: 'refused by the local stand-in (fault injection)' };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(requireString(entry.Detail, 'Detail'));
      } catch {
        failed++;
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
      }
      const event: PublishedEvent = {
        eventId: randomUUID(),
        eventBusName: optionalString(entry.EventBusName, 'EventBusName') ?? 'default',
        source: requireString(entry.Source, 'Source'),
        detailType: requireString(entry.DetailType, 'DetailType'),
        detail,
        time: new Date().toISOString(),
        ...(call.traceId ? { traceId: call.traceId } : {}),
      };
      published.push(event);
      for (const listener of eventListeners) listener(event);
      return { EventId: event.eventId };
    });
    return { FailedEntryCount: failed, Entries: entries };
  }

  const operations: Readonly<Record<string, (body: Body, call: CallContext) => Body>> = {
    [`${EVENTS_TARGET}PutEvents`]: putEvents,
    [`${SECRETS_TARGET}GetSecretValue`]: getSecretValue,
    [`${SECRETS_TARGET}PutSecretValue`]: putSecretValue,
    [`${SSM_TARGET}GetParameter`]: getParameter,
    [`${SSM_TARGET}GetParameters`]: getParameters,
    [`${SSM_TARGET}GetParametersByPath`]: getParametersByPath,
    [`${SSM_TARGET}PutParameter`]: putParameter,
  };

  function setSecret(name: string, value: string): void {
    addSecretVersion(secrets.get(name) ?? createSecret(name), { secretString: value }, randomUUID(), ['AWSCURRENT']);
  }

  function setParameter(name: string, value: string): void {
    putParameter({ Name: name, Value: value, Overwrite: true });
  }

  for (const [name, value] of Object.entries(options.secrets ?? {})) setSecret(name, value);
  for (const [name, value] of Object.entries(options.parameters ?? {})) setParameter(name, value);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = request.headers['x-amz-target'];
    // Each service's model names its message member differently; the SDK reads either.
    const messageKey = typeof target === 'string' && target.startsWith(SECRETS_TARGET) ? 'Message' : 'message';
    try {
      const raw = await readBody(request);
      if (request.method !== 'POST' || (request.url ?? '/').split('?')[0] !== '/') {
        throw new AwsError('UnknownOperationException', `only POST / is served, got ${request.method ?? '?'} ${request.url ?? ''}`, 404);
      }
      if (typeof target !== 'string' || target === '') throw new AwsError('UnknownOperationException', 'missing x-amz-target header');
      const contentType = request.headers['content-type']?.split(';')[0]?.trim();
      let body: unknown;
      try {
        body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
      } catch {
        received.push({ target, body: raw.toString('utf8') });
        throw new AwsError('SerializationException', 'request body is not valid JSON');
      }
      received.push({ target, body });
      if (contentType !== CONTENT_TYPE)
        throw new AwsError('SerializationException', `content-type must be ${CONTENT_TYPE}, got ${contentType ?? 'none'}`);
      const operation = operations[target];
      if (!operation) throw new AwsError('UnknownOperationException', `the local AWS stand-ins do not serve ${target}`);
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new AwsError('SerializationException', 'request body must be a JSON object');
      const traceHeader = request.headers['x-amzn-trace-id'];
      const traceId = typeof traceHeader === 'string' ? /(?:^|;)\s*Root=([^;]+)/.exec(traceHeader)?.[1] : undefined;
      send(response, 200, operation(body as Body, { traceId }));
    } catch (error) {
      if (error instanceof AwsError) send(response, error.status, { __type: error.type, [messageKey]: error.message });
      else send(response, 500, { __type: 'InternalFailure', [messageKey]: error instanceof Error ? error.message : String(error) });
    }
  }

  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    setSecret,
    setParameter,
    secret: (name) => secrets.get(name)?.versions.find((v) => v.stages.includes('AWSCURRENT'))?.secretString,
    parameter: (name) => parameters.get(name)?.versions.at(-1)?.value,
    deleteParameter: (name) => void parameters.delete(name),
    calls: () => [...received],
    events: () => [...published],
    onEvent: (listener) => void eventListeners.push(listener),
    refuseEvents: (count, errorCode = 'InternalFailure') => {
      refusals = { count, errorCode };
    },
    stop: async () => {
      // The SDK keeps its connections alive; close them or close() waits for their idle timeout.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(response: ServerResponse, status: number, body: Body): void {
  if (response.headersSent || response.destroyed) return;
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(payload);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new AwsError('ValidationException', `request body exceeds ${MAX_REQUEST_BYTES} bytes`, 413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function requireString(value: unknown, member: string): string {
  if (typeof value !== 'string' || value === '')
    throw new AwsError('ValidationException', `${member} is required and must be a non-empty string`);
  return value;
}

function optionalString(value: unknown, member: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AwsError('ValidationException', `${member} must be a string`);
  return value;
}

function requireStringList(value: unknown, member: string): string[] {
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new AwsError('ValidationException', `${member} must be a list of strings`);
  }
  return value;
}

interface PageToken {
  readonly path: string;
  readonly recursive: boolean;
  readonly offset: number;
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(text: string): PageToken | undefined {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<PageToken>;
    if (
      typeof token.path === 'string' &&
      typeof token.recursive === 'boolean' &&
      Number.isInteger(token.offset) &&
      (token.offset ?? -1) >= 0
    ) {
      return token as PageToken;
    }
  } catch {
    // Not one of ours: refused below like any other bad token.
  }
  return undefined;
}
