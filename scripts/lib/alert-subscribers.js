// Long-lived alert-stream subscribers for scripts/chaos.js: one over Server-Sent Events
// (GET /v1/alerts/stream) and one over gRPC (AlertingService.StreamAlerts). Each records the
// history cursor of every change it receives, in arrival order, and when its connection ends for
// any reason (alerting killed, Postgres restarted) reconnects with its resume position — the
// Last-Event-ID header, the after_cursor field — as a real client would. `seen` is what it got;
// `connections` how many times it connected.
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `url()` gives the stream's address (it may move); `token` a bearer token of the tenant. */
function sseSubscriber({ url, token, retryMs = 300 }) {
  const sub = { name: 'SSE', seen: [], connections: 0, closed: false, close: () => undefined };
  const ac = new AbortController();
  sub.close = () => {
    sub.closed = true;
    ac.abort();
  };
  (async () => {
    while (!sub.closed) {
      try {
        const last = sub.seen.at(-1);
        // The first connection replays the tenant's history (lastEventId=0); a reconnection
        // resumes after the last event received, as EventSource does.
        const res = await fetch(last === undefined ? `${url()}?lastEventId=0` : url(), {
          headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...(last === undefined ? {} : { 'last-event-id': String(last) }) },
          signal: ac.signal,
        });
        if (res.status !== 200) throw new Error(`SSE answered ${res.status}`);
        sub.connections++;
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of res.body) {
          buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const id = /^id: ?(\d+)$/m.exec(block)?.[1];
            if (id !== undefined && /^event: ?alert\.changed$/m.test(block)) sub.seen.push(Number(id));
            end = buffer.indexOf('\n\n');
          }
        }
      } catch {
        // the connection ended: reconnect below
      }
      if (!sub.closed) await sleep(retryMs);
    }
  })();
  return sub;
}

/** `address` host:port of alerting's gRPC server; `token` a bearer token of the tenant. */
function grpcSubscriber({ address, token, retryMs = 300 }) {
  const { credentials } = require(path.join(root, 'node_modules/@grpc/grpc-js'));
  const { AlertingServiceClient, StreamAlertsRequest } = require(path.join(root, 'packages/contracts/dist'));
  const { callMetadata } = require(path.join(root, 'packages/grpc/dist'));
  const client = new AlertingServiceClient(address, credentials.createInsecure());
  const sub = { name: 'gRPC', seen: [], connections: 0, closed: false, close: () => undefined };
  let call;
  const connect = () => {
    if (sub.closed) return;
    call = client.streamAlerts(StreamAlertsRequest.fromPartial({ afterCursor: sub.seen.at(-1) ?? 0 }), callMetadata(token));
    let ended = false;
    const again = () => {
      if (ended) return;
      ended = true;
      if (!sub.closed) setTimeout(connect, retryMs);
    };
    // Connected once the server answers (attempts while alerting is down do not count).
    call.on('metadata', () => sub.connections++);
    call.on('data', (m) => sub.seen.push(Number(m.change.alert.cursor)));
    call.on('error', again);
    call.on('end', again);
  };
  sub.close = () => {
    sub.closed = true;
    call?.cancel();
    client.close();
  };
  connect();
  return sub;
}

module.exports = { sseSubscriber, grpcSubscriber };
