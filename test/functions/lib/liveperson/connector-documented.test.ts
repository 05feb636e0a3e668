// ConnectorClient against LivePerson's own documented answers (test/fixtures/liveperson/connector-api),
// served as they are by a scripted server: what it sends (Client-Properties on every call, metadata
// beside the body, the survey's dialog) and what it reads from the documented answers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppJwtProvider } from '#functions/lib/liveperson/app-jwt.ts';
import type { ConsumerJwsProvider } from '#functions/lib/liveperson/consumer-jws.ts';
import { ConnectorClient, type ClientProperties } from '#functions/lib/liveperson/connector.ts';
import { FileStorage } from '#functions/lib/liveperson/file-storage.ts';
import { LivePersonHttpClient } from '#functions/lib/liveperson/http.ts';
import { connectorApiFixture } from '#test/support/connector-api-fixtures.ts';
import { startScriptedServer, type ScriptedServer } from '#test/support/scripted-server.ts';

const CLIENT_PROPERTIES: ClientProperties = {
  type: '.ClientProperties',
  integration: 'BRAND_SDK',
  features: ['QUICK_REPLIES', 'MULTI_DIALOG'],
};

describe('ConnectorClient and LivePerson’s documented answers', () => {
  let server: ScriptedServer;
  let connector: ConnectorClient;
  let storage: FileStorage;

  beforeEach(async () => {
    server = await startScriptedServer();
    const http = new LivePersonHttpClient({ sleep: async () => undefined });
    const domains = { resolve: async () => server.url };
    const appJwt = { withToken: (call: (token: string) => Promise<unknown>) => call('app-jwt') } as unknown as AppJwtProvider;
    const consumerJws = { getJws: async () => 'consumer-jws', invalidate: () => undefined } as unknown as ConsumerJwsProvider;
    connector = new ConnectorClient({ accountId: '12345678', http, domains, appJwt, consumerJws, clientProperties: CLIENT_PROPERTIES });
    storage = new FileStorage({ http, domains });
  });
  afterEach(() => server.close());

  const sent = (index: number) => JSON.parse(server.received[index]?.body ?? 'null') as Record<string, unknown>;

  it('reads the documented upload URL answer, asks with the size as a string (the schema’s type), and PUTs to storage without a second slash', async () => {
    const answer = connectorApiFixture('upload-url-response.json').value as { body: { relativePath: string } };
    server.script({ status: 200, body: answer }, { status: 201, body: '' });
    const grant = await connector.requestUploadUrl('consumer-1', { fileSize: 1000, fileType: 'PNG' });
    expect(grant).toEqual({
      relativePath: answer.body.relativePath,
      tempUrlSig: 'dd9e3bdb2bebbc254653f0dd090922b40489ca6e',
      tempUrlExpires: 1528099919,
    });
    const documented = connectorApiFixture('upload-url-request.json').value as Record<string, unknown>;
    expect(sent(0)).toMatchObject({ kind: 'req', type: documented.type, body: documented.body });
    expect(server.received[0]?.url).toBe('/api/account/12345678/messaging/consumer/conversation/send?v=3');

    await storage.upload(grant, { data: Buffer.from('png bytes'), fileType: 'PNG' });
    const put = server.received[1];
    expect(put?.method).toBe('PUT');
    expect(put?.url).toBe(`${answer.body.relativePath}?temp_url_sig=dd9e3bdb2bebbc254653f0dd090922b40489ca6e&temp_url_expires=1528099919`);
    expect(put?.headers['content-type']).toBe('image/png');
    expect(put?.body).toBe('png bytes');
    // Storage is no Connector API call: no tokens go there.
    expect(put?.headers.authorization).toBeUndefined();
    expect(put?.headers['x-lp-on-behalf']).toBeUndefined();
  });

  it('reads the documented download URL answer', async () => {
    server.script({ status: 200, body: connectorApiFixture('download-url-response.json').value });
    const relativePath = (connectorApiFixture('download-url-request.json').value as { body: { relativePath: string } }).body.relativePath;
    const grant = await connector.requestDownloadUrl('consumer-1', relativePath);
    expect(grant.tempUrlSig).toBe('384bcb0b188920909d4a068473824e964ecbffcd');
    expect(await storage.signedUrl(grant)).toBe(
      `${server.url}${grant.relativePath}?temp_url_sig=384bcb0b188920909d4a068473824e964ecbffcd&temp_url_expires=1528379356`,
    );
    expect(sent(0)).toMatchObject({ type: 'ms.GenerateURLForDownloadFile', body: { relativePath } });
  });

  it('answers into the survey’s dialog as LivePerson’s survey example does: metadata beside the body, both ids in it', async () => {
    server.script({ status: 200, body: connectorApiFixture('send-response.json').value });
    const documented = connectorApiFixture('survey-answer-action.json').value as { body: Record<string, unknown>; metadata: unknown[] };
    const metadata = documented.metadata as Array<{ type: string }>;
    await connector.publish(
      'consumer-1',
      '__YOUR_CONVERSATION_ID__',
      { type: 'AcceptStatusEvent', status: 'ACTION', sequenceList: [1] },
      {
        dialogId: '__YOUR_POST_SURVEY_DIALOG_ID__',
        metadata,
      },
    );
    const { id: _id, ...request } = sent(0);
    const { id: _documentedId, ...expected } = documented as unknown as Record<string, unknown>;
    expect(request).toEqual(expected);
  });

  it('sends the Client-Properties header on the CONVERSATION call and on every SEND', async () => {
    server.script(
      { status: 200, body: connectorApiFixture('conversation-response.json').value },
      { status: 200, body: connectorApiFixture('send-response.json').value },
      { status: 200, body: { code: 'OK', body: { msg: 'OK User Profile set successfully' }, reqId: '1' } },
      { status: 200, body: { kind: 'resp', reqId: '1', code: 'OK', body: {} } },
    );
    const conversationId = await connector.openConversation('consumer-1', { routing: { skillId: '-1' } });
    expect(conversationId).toBe('8602832d-dce1-446b-8445-0d51f5926a42');
    await connector.publish('consumer-1', conversationId, { type: 'ContentEvent', contentType: 'text/plain', message: 'hi' });
    await connector.setUserProfile('consumer-1', [{ type: 'personal', personal: { firstname: 'John' } }]);
    await connector.closeConversation('consumer-1', conversationId, { wholeConversation: true });
    expect(server.received.map((request) => JSON.parse(String(request.headers['client-properties'])))).toEqual(
      Array(4).fill(CLIENT_PROPERTIES),
    );
    expect(sent(2)).toEqual({
      kind: 'req',
      id: '1',
      type: 'userprofile.SetUserProfile',
      body: { authenticatedData: { lp_sdes: [{ type: 'personal', personal: { firstname: 'John' } }] } },
    });
    const stage = connectorApiFixture('stage-close.json').value as { body: { conversationField: unknown } };
    expect(sent(3)).toMatchObject({
      type: 'cm.UpdateConversationField',
      body: { conversationId, conversationField: stage.body.conversationField },
    });
  });

  it('refuses an upload URL answer without a signature, as a response error', async () => {
    server.script({ status: 200, body: { code: 'OK', body: { relativePath: '/v1/x.PNG', queryParams: {} }, reqId: '1' } });
    await expect(connector.requestUploadUrl('consumer-1', { fileSize: 10, fileType: 'PNG' })).rejects.toThrow(
      'Connector API upload URL: answer has no signed URL',
    );
  });
});
