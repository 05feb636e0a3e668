import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  InvalidNextToken,
  ParameterAlreadyExists,
  ParameterNotFound,
  paginateGetParametersByPath,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CredentialsSource, SsmDomainSource } from '#functions/lib/aws/config.ts';
import { startAwsStandIns, type AwsStandIns } from '#local/aws-standins.ts';

const SECRET_NAME = 'liveperson/12345678/credentials';
const credentialsJson = JSON.stringify({ clientId: 'client-1', clientSecret: 'secret-1' });
const DOMAINS = '/liveperson/12345678/domains/';

describe('local AWS stand-ins (Secrets Manager and SSM over AWS JSON 1.1)', () => {
  let aws: AwsStandIns;
  let secrets: SecretsManagerClient;
  let ssm: SSMClient;

  beforeAll(async () => {
    aws = await startAwsStandIns({
      secrets: { [SECRET_NAME]: credentialsJson },
      parameters: {
        [`${DOMAINS}asyncMessagingEnt`]: 'va.msg.liveperson.net',
        [`${DOMAINS}sentinel`]: 'va.sentinel.liveperson.net',
        [`${DOMAINS}nested/deeper`]: 'nested.example',
      },
    });
    const config = { endpoint: aws.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    secrets = new SecretsManagerClient(config);
    ssm = new SSMClient(config);
  });
  afterAll(async () => {
    secrets.destroy();
    ssm.destroy();
    await aws.stop();
  });
  afterEach(() => vi.unstubAllEnvs());

  it('listens on 127.0.0.1 only', () => {
    expect(aws.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  describe('Secrets Manager', () => {
    it('answers GetSecretValue by name, by ARN and by partial ARN, with the fields the SDK types', async () => {
      const byName = await secrets.send(new GetSecretValueCommand({ SecretId: SECRET_NAME }));
      expect(byName).toMatchObject({
        Name: SECRET_NAME,
        SecretString: credentialsJson,
        VersionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        VersionStages: ['AWSCURRENT'],
        ARN: expect.stringMatching(new RegExp(`^arn:aws:secretsmanager:us-east-1:\\d{12}:secret:${SECRET_NAME}-[A-Za-z0-9]{6}$`)),
      });
      expect(byName.CreatedDate).toBeInstanceOf(Date);
      expect(Math.abs((byName.CreatedDate?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);

      const arn = byName.ARN ?? '';
      expect((await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe(credentialsJson);
      expect((await secrets.send(new GetSecretValueCommand({ SecretId: arn.slice(0, -7) }))).SecretString).toBe(credentialsJson);
    });

    it('throws ResourceNotFoundException, with a message, for an unknown secret', async () => {
      const failure = secrets.send(new GetSecretValueCommand({ SecretId: 'no/such/secret' }));
      await expect(failure).rejects.toBeInstanceOf(ResourceNotFoundException);
      await expect(failure).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
        $metadata: { httpStatusCode: 400 },
      });
      await expect(secrets.send(new PutSecretValueCommand({ SecretId: 'no/such/secret', SecretString: 'x' }))).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
    });

    it('rotates with PutSecretValue: the new version is AWSCURRENT, the old one AWSPREVIOUS', async () => {
      const name = 'rotation/secret';
      aws.setSecret(name, 'v1');
      const put = await secrets.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: 'token-0000000000000000000000000000002' }),
      );
      expect(put).toMatchObject({ Name: name, VersionId: 'token-0000000000000000000000000000002', VersionStages: ['AWSCURRENT'] });
      expect(aws.secret(name)).toBe('v2');
      expect((await secrets.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('v2');
      expect((await secrets.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('v1');

      // The same token again is a retry; with another value it is a conflict.
      await secrets.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: 'token-0000000000000000000000000000002' }),
      );
      await expect(
        secrets.send(
          new PutSecretValueCommand({ SecretId: name, SecretString: 'v3', ClientRequestToken: 'token-0000000000000000000000000000002' }),
        ),
      ).rejects.toBeInstanceOf(ResourceExistsException);

      // A pending version (rotation's first step) leaves AWSCURRENT where it was.
      await secrets.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v4', VersionStages: ['AWSPENDING'] }));
      expect(aws.secret(name)).toBe('v2');
      expect((await secrets.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }))).SecretString).toBe('v4');
    });

    it("serves Powertools' SecretsProvider and the project's CredentialsSource through AWS_ENDPOINT_URL_SECRETS_MANAGER", async () => {
      vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', aws.endpoint);
      const provider = new SecretsProvider();
      expect(await provider.get(SECRET_NAME)).toBe(credentialsJson);

      const source = new CredentialsSource({ secretId: SECRET_NAME, maxAgeSeconds: 0, provider });
      expect(await source.get()).toMatchObject({ clientId: 'client-1', clientSecret: 'secret-1' });
      await expect(new CredentialsSource({ secretId: 'missing', provider }).get()).rejects.toThrow(
        "cannot read secret missing: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
      );
    });
  });

  describe('SSM Parameter Store', () => {
    it('answers GetParameter and GetParameters, listing unknown names as invalid', async () => {
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: `${DOMAINS}sentinel` }));
      expect(Parameter).toMatchObject({
        Name: `${DOMAINS}sentinel`,
        Value: 'va.sentinel.liveperson.net',
        Type: 'String',
        Version: 1,
        DataType: 'text',
      });
      expect(Parameter?.LastModifiedDate).toBeInstanceOf(Date);
      expect(Parameter?.ARN).toMatch(/^arn:aws:ssm:us-east-1:\d{12}:parameter\/liveperson\/12345678\/domains\/sentinel$/);

      const many = await ssm.send(new GetParametersCommand({ Names: [`${DOMAINS}sentinel`, `${DOMAINS}nope`] }));
      expect(many.Parameters?.map((p) => p.Value)).toEqual(['va.sentinel.liveperson.net']);
      expect(many.InvalidParameters).toEqual([`${DOMAINS}nope`]);
    });

    it('throws ParameterNotFound for an unknown parameter', async () => {
      const failure = ssm.send(new GetParameterCommand({ Name: `${DOMAINS}missing` }));
      await expect(failure).rejects.toBeInstanceOf(ParameterNotFound);
      await expect(failure).rejects.toMatchObject({
        message: `Parameter ${DOMAINS}missing not found.`,
        $metadata: { httpStatusCode: 400 },
      });
    });

    it('lists a path one level deep or recursively, page by page', async () => {
      const oneLevel = await ssm.send(new GetParametersByPathCommand({ Path: DOMAINS }));
      expect(oneLevel.Parameters?.map((p) => p.Name)).toEqual([`${DOMAINS}asyncMessagingEnt`, `${DOMAINS}sentinel`]);
      expect(oneLevel.NextToken).toBeUndefined();

      const pages: string[][] = [];
      for await (const page of paginateGetParametersByPath({ client: ssm, pageSize: 2 }, { Path: DOMAINS.slice(0, -1), Recursive: true })) {
        pages.push((page.Parameters ?? []).map((p) => p.Name ?? ''));
      }
      expect(pages).toEqual([[`${DOMAINS}asyncMessagingEnt`, `${DOMAINS}nested/deeper`], [`${DOMAINS}sentinel`]]);

      await expect(ssm.send(new GetParametersByPathCommand({ Path: DOMAINS, NextToken: 'not-a-token' }))).rejects.toBeInstanceOf(
        InvalidNextToken,
      );
      await expect(ssm.send(new GetParametersByPathCommand({ Path: DOMAINS, MaxResults: 11 }))).rejects.toMatchObject({
        name: 'ValidationException',
      });
    });

    it('puts parameters: versions increase with Overwrite, and ParameterAlreadyExists without it', async () => {
      const name = '/put/test';
      expect((await ssm.send(new PutParameterCommand({ Name: name, Value: 'a', Type: 'String' }))).Version).toBe(1);
      await expect(ssm.send(new PutParameterCommand({ Name: name, Value: 'b', Type: 'String' }))).rejects.toBeInstanceOf(
        ParameterAlreadyExists,
      );
      expect(aws.parameter(name)).toBe('a');
      expect((await ssm.send(new PutParameterCommand({ Name: name, Value: 'b', Overwrite: true }))).Version).toBe(2);
      expect(aws.parameter(name)).toBe('b');
      expect((await ssm.send(new GetParameterCommand({ Name: `${name}:1` }))).Parameter).toMatchObject({
        Value: 'a',
        Version: 1,
        Selector: ':1',
      });
    });

    it('returns a SecureString in clear only WithDecryption, like AWS', async () => {
      await ssm.send(new PutParameterCommand({ Name: '/secure/one', Value: 'clear', Type: 'SecureString' }));
      expect((await ssm.send(new GetParameterCommand({ Name: '/secure/one' }))).Parameter?.Value).not.toBe('clear');
      expect((await ssm.send(new GetParameterCommand({ Name: '/secure/one', WithDecryption: true }))).Parameter?.Value).toBe('clear');
    });

    it("serves Powertools' SSMProvider and the project's SsmDomainSource through AWS_ENDPOINT_URL_SSM", async () => {
      vi.stubEnv('AWS_ENDPOINT_URL_SSM', aws.endpoint);
      const provider = new SSMProvider();
      expect(await provider.getMultiple(DOMAINS, { forceFetch: true })).toEqual({
        asyncMessagingEnt: 'va.msg.liveperson.net',
        sentinel: 'va.sentinel.liveperson.net',
      });
      expect(await provider.set(`${DOMAINS}agentVep`, { value: 'va.agentvep.liveperson.net' })).toBe(1);
      expect(await provider.set(`${DOMAINS}agentVep`, { value: 'va2.agentvep.liveperson.net', overwrite: true })).toBe(2);
      await expect(provider.set(`${DOMAINS}agentVep`, { value: 'x' })).rejects.toThrow(/Unable to set parameter/);
      expect(await provider.getParametersByName({ [`${DOMAINS}agentVep`]: {}, [`${DOMAINS}sentinel`]: {} })).toEqual({
        [`${DOMAINS}agentVep`]: 'va2.agentvep.liveperson.net',
        [`${DOMAINS}sentinel`]: 'va.sentinel.liveperson.net',
      });

      const source = new SsmDomainSource({ path: DOMAINS, maxAgeSeconds: 0, provider });
      expect(await source.get('agentVep')).toBe('va2.agentvep.liveperson.net');
      expect(await source.get('unknownService')).toBeUndefined(); // ParameterNotFound, recognised through the SDK's error class
    });
  });

  it('refuses an unknown target with UnknownOperationException naming it', async () => {
    const failure = secrets.send(new DescribeSecretCommand({ SecretId: SECRET_NAME }));
    await expect(failure).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('secretsmanager.DescribeSecret'),
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('records every call with its target and body', async () => {
    const before = aws.calls().length;
    await ssm.send(new GetParameterCommand({ Name: `${DOMAINS}sentinel`, WithDecryption: true }));
    expect(aws.calls().slice(before)).toEqual([
      { target: 'AmazonSSM.GetParameter', body: { Name: `${DOMAINS}sentinel`, WithDecryption: true } },
    ]);
  });
});

describe('EventBridge PutEvents stand-in', () => {
  it('accepts events through the real SDK client, tells listeners, and refuses on request', async () => {
    const standIns = await startAwsStandIns();
    try {
      const client = new EventBridgeClient({
        endpoint: standIns.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      const heard: string[] = [];
      standIns.onEvent((event) => heard.push(event.detailType));
      const entry = { EventBusName: 'lp-bus', Source: 'liveperson', DetailType: 'ContentEvent', Detail: '{"conversationId":"c1"}' };
      const ok = await client.send(new PutEventsCommand({ Entries: [entry] }));
      expect(ok.FailedEntryCount).toBe(0);
      expect(standIns.events()).toMatchObject([
        { eventBusName: 'lp-bus', source: 'liveperson', detailType: 'ContentEvent', detail: { conversationId: 'c1' } },
      ]);
      expect(heard).toEqual(['ContentEvent']);
      standIns.refuseEvents(1, 'ThrottlingException');
      const refused = await client.send(new PutEventsCommand({ Entries: [entry, entry] }));
      expect(refused.FailedEntryCount).toBe(1);
      expect(refused.Entries?.map((e) => e.ErrorCode)).toEqual(['ThrottlingException', undefined]);
      client.destroy();
    } finally {
      await standIns.stop();
    }
  });
});
