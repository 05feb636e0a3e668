// File sharing through the Connector API and the `swift` storage: signed upload and download URLs,
// the PUT and GET with Swift TempURL signatures, hosted/file publishes and agent files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeFromMessage, startLivePersonSimulator } from '#simulator/index.ts';
import type { LivePersonSimulator, MessagePublished } from '#simulator/index.ts';
import type { ConnectorConsumer } from './helpers.ts';
import { connectorConsumer, request, signedStorageUrl } from './helpers.ts';

let sim: LivePersonSimulator;
let consumer: ConnectorConsumer;
let conversationId: string;

// A PNG signature and a few bytes that are not valid UTF-8, so a lossy text round trip would show.
const PNG_BYTES = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from([0xff, 0xfe, 0x00, 0x80])]);
const MB3 = 3 * 1024 * 1024;

async function uploadUrl(fileSize: string | number = String(PNG_BYTES.length), fileType = 'PNG') {
  return consumer.request('ms.GenerateURLForUploadFile', { fileSize, fileType });
}

function put(url: string, bytes: Buffer) {
  return request(url, { method: 'PUT', body: bytes });
}

async function uploaded(bytes = PNG_BYTES, fileType = 'PNG'): Promise<string> {
  const answer = await uploadUrl(String(bytes.length), fileType);
  expect(answer.status).toBe(200);
  expect((await put(signedStorageUrl(sim, answer.body), bytes)).status).toBe(201);
  return (answer.body as { body: { relativePath: string } }).body.relativePath;
}

function publishFile(message: Record<string, unknown>) {
  return consumer.request('ms.PublishEvent', {
    dialogId: conversationId,
    event: { type: 'ContentEvent', contentType: 'hosted/file', message },
  });
}

beforeEach(async () => {
  sim = await startLivePersonSimulator();
  consumer = await connectorConsumer(sim, 'ext-consumer-1');
  conversationId = await consumer.openConversation();
});
afterEach(async () => {
  await sim.close();
});

describe('Connector API file sharing with the swift storage', () => {
  it('round trip: upload URL, PUT the bytes, publish hosted/file, download URL, GET the same bytes', async () => {
    const before = Math.floor(Date.now() / 1000);
    const upload = await uploadUrl();
    const after = Math.floor(Date.now() / 1000);
    expect(upload.status).toBe(200);
    expect(upload.body).toEqual({
      code: 'OK',
      body: {
        relativePath: expect.stringMatching(new RegExp(`^/v1/AUTH_async-images/${sim.accountId}/[0-9a-f-]{36}\\.PNG$`)),
        queryParams: { temp_url_sig: expect.stringMatching(/^[0-9a-f]{40}$/), temp_url_expires: expect.stringMatching(/^\d+$/) },
      },
      reqId: '100',
    });
    // "File expiration is set to 1 minute by default."
    const expires = Number((upload.body as { body: { queryParams: { temp_url_expires: string } } }).body.queryParams.temp_url_expires);
    expect(expires).toBeGreaterThanOrEqual(before + 60);
    expect(expires).toBeLessThanOrEqual(after + 60);

    const stored = await put(signedStorageUrl(sim, upload.body), PNG_BYTES);
    expect(stored.status).toBe(201);
    const { relativePath } = (upload.body as { body: { relativePath: string } }).body;
    expect(sim.connector.storedFile(relativePath)).toEqual({ fileType: 'PNG', bytes: PNG_BYTES });

    const published = await publishFile({
      caption: 'receipt',
      relativePath,
      fileType: 'PNG',
      preview: 'data:image/png;base64,iVBORw0KGgo=',
    });
    expect(published.body).toEqual({ kind: 'resp', reqId: '101', code: 'OK', body: { sequence: 0 } });
    expect(sim.connector.conversations()[0]?.messages[0]?.event).toEqual({
      type: 'ContentEvent',
      contentType: 'hosted/file',
      message: { caption: 'receipt', relativePath, fileType: 'PNG', preview: 'data:image/png;base64,iVBORw0KGgo=' },
    });

    const download = await consumer.request('ms.GenerateURLForDownloadFile', { relativePath });
    expect(download.body).toEqual({
      code: 'OK',
      body: {
        relativePath,
        queryParams: { temp_url_sig: expect.stringMatching(/^[0-9a-f]{40}$/), temp_url_expires: expect.stringMatching(/^\d+$/) },
      },
      reqId: '102',
    });
    const response = await fetch(signedStorageUrl(sim, download.body));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PNG_BYTES);

    const storage = sim.requests({ service: 'swift' });
    expect(storage.map(({ method, path, status, body, bodyBytes }) => ({ method, path, status, body, bodyBytes }))).toEqual([
      { method: 'PUT', path: relativePath, status: 201, body: '', bodyBytes: PNG_BYTES.length },
      { method: 'GET', path: relativePath, status: 200, body: '', bodyBytes: 0 },
    ]);
  });

  it('takes fileSize as a number too, and up to 3MB: the limit itself uploads (above the 1 MiB body limit of other services)', async () => {
    const big = Buffer.alloc(MB3, 0xab);
    const answer = await uploadUrl(MB3, 'GIF');
    expect(answer.status).toBe(200);
    expect((await put(signedStorageUrl(sim, answer.body), big)).status).toBe(201);
    const { relativePath } = (answer.body as { body: { relativePath: string } }).body;
    expect(relativePath).toMatch(/\.GIF$/);
    expect(sim.connector.storedFile(relativePath)?.bytes.length).toBe(MB3);
    // Other services keep their limit.
    const tooBig = await consumer.send(JSON.stringify({ kind: 'req', id: '1', type: 'ms.PublishEvent', pad: 'x'.repeat(1024 * 1024) }));
    expect(tooBig.status).toBe(413);
  });

  it('401 "Temp URL invalid" for a wrong, missing or tampered signature and for the other method’s signature', async () => {
    const relativePath = await uploaded();
    const upload = await uploadUrl();
    const uploadUrlText = signedStorageUrl(sim, upload.body);
    const download = signedStorageUrl(sim, (await consumer.request('ms.GenerateURLForDownloadFile', { relativePath })).body);

    const wrongSig = new URL(uploadUrlText);
    const sig = wrongSig.searchParams.get('temp_url_sig') ?? '';
    wrongSig.searchParams.set('temp_url_sig', `${sig[0] === '0' ? '1' : '0'}${sig.slice(1)}`);
    const laterExpiry = new URL(uploadUrlText);
    laterExpiry.searchParams.set('temp_url_expires', String(Number(laterExpiry.searchParams.get('temp_url_expires')) + 3600));
    const unsigned = new URL(uploadUrlText);
    unsigned.search = '';
    // A GET signature does not let one PUT, nor a PUT signature GET (the method is signed).
    const getWithPutSignature = new URL(download);
    getWithPutSignature.search = new URL(uploadUrlText).search;
    getWithPutSignature.pathname = new URL(uploadUrlText).pathname;

    for (const url of [wrongSig.toString(), laterExpiry.toString(), unsigned.toString()]) {
      expect(await put(url, PNG_BYTES), url).toMatchObject({ status: 401, body: 'Temp URL invalid' });
    }
    expect(await put(download, PNG_BYTES)).toMatchObject({ status: 401, body: 'Temp URL invalid' });
    expect(await request(getWithPutSignature.toString())).toMatchObject({ status: 401, body: 'Temp URL invalid' });
    // The PUT URL still works, for its own path only.
    const elsewhere = new URL(uploadUrlText);
    elsewhere.pathname = relativePath;
    expect((await put(elsewhere.toString(), PNG_BYTES)).status).toBe(401);
    expect((await put(uploadUrlText, PNG_BYTES)).status).toBe(201);
  });

  it('401 "Temp URL invalid" once the URLs expired; new URLs work', async () => {
    const relativePath = await uploaded();
    const upload = await uploadUrl();
    const download = await consumer.request('ms.GenerateURLForDownloadFile', { relativePath });
    sim.connector.expireFileUrls();
    expect(await put(signedStorageUrl(sim, upload.body), PNG_BYTES)).toMatchObject({ status: 401, body: 'Temp URL invalid' });
    expect(await request(signedStorageUrl(sim, download.body))).toMatchObject({ status: 401, body: 'Temp URL invalid' });

    const fresh = await consumer.request('ms.GenerateURLForDownloadFile', { relativePath });
    expect((await fetch(signedStorageUrl(sim, fresh.body))).status).toBe(200);
  });

  it('issues URLs for fileUrlTtlSeconds: negative ones are expired at once', async () => {
    const shortLived = await startLivePersonSimulator({ fileUrlTtlSeconds: -1 });
    try {
      const other = await connectorConsumer(shortLived, 'ext-consumer-9');
      const answer = await other.request('ms.GenerateURLForUploadFile', { fileSize: '4', fileType: 'JPG' });
      const expires = Number((answer.body as { body: { queryParams: { temp_url_expires: string } } }).body.queryParams.temp_url_expires);
      expect(expires).toBeLessThan(Math.floor(Date.now() / 1000));
      expect(await put(signedStorageUrl(shortLived, answer.body), Buffer.from('abcd'))).toMatchObject({
        status: 401,
        body: 'Temp URL invalid',
      });
    } finally {
      await shortLived.close();
    }
  });

  it('400 FILE_TOO_LARGE above 3MB; 400 for a PUT larger than the URL’s fileSize', async () => {
    const tooLarge = await uploadUrl(String(MB3 + 1));
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body).toEqual({
      kind: 'resp',
      code: 400,
      reqId: '100',
      body: { errorCode: 'FILE_TOO_LARGE', message: expect.any(String) },
    });

    const small = await uploadUrl('4');
    const overSized = await put(signedStorageUrl(sim, small.body), Buffer.from('12345'));
    expect(overSized.status).toBe(400);
    expect(overSized.body).toEqual(expect.stringContaining('larger'));
  });

  it('400 INVALID_REQUEST for another file type or a malformed fileSize, in the upload request and in the publish', async () => {
    for (const body of [
      { fileSize: '10', fileType: 'PDF' },
      { fileSize: '10', fileType: 'png' },
      { fileSize: '10' },
      { fileSize: 'ten', fileType: 'PNG' },
      { fileSize: -1, fileType: 'PNG' },
      { fileSize: '0', fileType: 'PNG' },
    ]) {
      const answer = await consumer.request('ms.GenerateURLForUploadFile', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body).toMatchObject({ code: 400, body: { errorCode: 'INVALID_REQUEST' } });
    }
    const relativePath = await uploaded();
    const pdf = await publishFile({ relativePath, fileType: 'PDF' });
    expect(pdf.body).toMatchObject({ code: 400, body: { errorCode: 'INVALID_REQUEST' } });
    expect(sim.connector.conversations()[0]?.messages).toEqual([]);
  });

  it('refuses a hosted/file naming no uploaded file, or with a preview over 30KB, with LivePerson’s message', async () => {
    const notUploaded = await publishFile({ relativePath: `/v1/AUTH_async-images/${sim.accountId}/nothing.PNG`, fileType: 'PNG' });
    expect(notUploaded.status).toBe(400);
    expect(notUploaded.body).toEqual({
      kind: 'resp',
      code: 400,
      reqId: '100',
      body: { errorCode: 'FILE_NOT_UPLOADED', message: 'Check your file size and that its is not corrupted' },
    });
    // A URL issued but never used names no file either.
    const issued = (await uploadUrl()).body as { body: { relativePath: string } };
    expect((await publishFile({ relativePath: issued.body.relativePath, fileType: 'PNG' })).body).toMatchObject({
      body: { errorCode: 'FILE_NOT_UPLOADED' },
    });

    const relativePath = await uploaded();
    const bigPreview = await publishFile({ relativePath, fileType: 'PNG', preview: `data:image/png;base64,${'A'.repeat(30 * 1024)}` });
    expect(bigPreview.body).toMatchObject({
      code: 400,
      body: { errorCode: 'PREVIEW_TOO_LARGE', message: 'Check your file size and that its is not corrupted' },
    });
    const withoutCaption = await publishFile({ relativePath, fileType: 'PNG' });
    expect(withoutCaption.status).toBe(200);
  });

  it('400 FILE_NOT_FOUND for a download URL of nothing stored', async () => {
    const answer = await consumer.request('ms.GenerateURLForDownloadFile', {
      relativePath: `/v1/AUTH_async-images/${sim.accountId}/x.PNG`,
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 400, reqId: '100', body: { errorCode: 'FILE_NOT_FOUND' } });
  });

  it('lets fault rules target the storage: a 500, then a 401 in its documented wording, then normal answers', async () => {
    const answer = await uploadUrl();
    const url = signedStorageUrl(sim, answer.body);
    sim.fail({ service: 'swift', status: 500 });
    sim.fail({ service: 'swift', status: 401 });
    expect(await put(url, PNG_BYTES)).toMatchObject({ status: 500, body: 'Internal Server Error' });
    expect(await put(url, PNG_BYTES)).toMatchObject({ status: 401, body: 'Temp URL invalid' });
    expect((await put(url, PNG_BYTES)).status).toBe(201);
    expect(sim.requests({ service: 'swift' }).map((record) => record.status)).toEqual([500, 401, 201]);
    // The Connector API is not affected by a storage rule.
    sim.fail({ service: 'swift', status: 503 });
    expect((await uploadUrl()).status).toBe(200);
  });
});

describe('files the agent and the simulated consumer share', () => {
  it('sendAgentFile stores the file and publishes hosted/file {caption, relativePath, fileType} without preview; the consumer downloads it', async () => {
    const published: MessagePublished[] = [];
    sim.events.on('message', (message) => published.push(message));
    const file = sim.connector.sendAgentFile(conversationId, { caption: 'your invoice', fileType: 'JPEG', bytes: PNG_BYTES });
    expect(file.relativePath).toMatch(new RegExp(`^/v1/AUTH_async-images/${sim.accountId}/[0-9a-f-]{36}\\.JPEG$`));
    expect(changeFromMessage(published[0]!)).toEqual({
      sequence: file.sequence,
      originatorId: 'sim-agent',
      originatorMetadata: { id: 'sim-agent', role: 'ASSIGNED_AGENT' },
      serverTimestamp: expect.any(Number),
      event: {
        type: 'ContentEvent',
        message: { caption: 'your invoice', relativePath: file.relativePath, fileType: 'JPEG' },
        contentType: 'hosted/file',
      },
      dialogId: conversationId,
    });

    const download = await consumer.request('ms.GenerateURLForDownloadFile', { relativePath: file.relativePath });
    const response = await fetch(signedStorageUrl(sim, download.body));
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PNG_BYTES);
    // The consumer tells it has accessed the file.
    const access = await consumer.request('ms.PublishEvent', {
      dialogId: conversationId,
      event: { type: 'AcceptStatusEvent', status: 'ACCESS', sequenceList: [file.sequence] },
    });
    expect(access.status).toBe(200);

    const untitled = sim.connector.sendAgentFile(conversationId, { fileType: 'GIF', bytes: Buffer.from('GIF89a') });
    expect(sim.connector.conversations()[0]?.messages.at(-1)?.event).toEqual({
      type: 'ContentEvent',
      contentType: 'hosted/file',
      message: { relativePath: untitled.relativePath, fileType: 'GIF' },
    });
    expect(() => sim.connector.sendAgentFile(conversationId, { fileType: 'PDF', bytes: Buffer.from('%PDF') })).toThrow(/PDF/);
    sim.connector.closeConversation(conversationId);
    expect(() => sim.connector.sendAgentFile(conversationId, { fileType: 'PNG', bytes: PNG_BYTES })).toThrow(/CLOSED/);
  });

  it('consumerSharesFile stores bytes (given or a stand-in) that a download URL reaches', async () => {
    const given = sim.connector.consumerSharesFile(conversationId, { fileType: 'PNG', bytes: PNG_BYTES });
    const standIn = sim.connector.consumerSharesFile(conversationId, { caption: 'photo', fileType: 'JPG' });
    expect(sim.connector.storedFile(given.relativePath)?.bytes).toEqual(PNG_BYTES);
    for (const { relativePath } of [given, standIn]) {
      const download = await consumer.request('ms.GenerateURLForDownloadFile', { relativePath });
      const response = await fetch(signedStorageUrl(sim, download.body));
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
  });
});
