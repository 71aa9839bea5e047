// The fault server in a process of its own, so that its parsing and bookkeeping neither share the
// soak's event loop nor count in the soak's heap. Talks to its parent over the IPC channel:
// parent -> { type: 'counts' } | { type: 'close' }; child -> { type: 'ready', url } | counts.
import {
  type ExpectedCredentials,
  type FaultPlan,
  type ServerCounts,
  startFaultServer,
} from './fault-server.js';

/** What the parent passes in `SOAK_SERVER_CONFIG`. */
export interface FaultServerConfig {
  readonly plan: FaultPlan;
  readonly credentials: ExpectedCredentials;
  readonly totalRecords: number;
}

/** Messages from the child. */
export type FaultServerMessage =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'counts'; readonly counts: ServerCounts }
  | { readonly type: 'closed' };

const send = (message: FaultServerMessage): void => {
  process.send?.(message);
};

const config = JSON.parse(process.env.SOAK_SERVER_CONFIG ?? 'null') as FaultServerConfig | null;
if (config === null || process.send === undefined) {
  console.error('fault-server-process: run by the soak through child_process.fork()');
  process.exit(2);
}
const server = await startFaultServer(config.plan, config.credentials, config.totalRecords);
process.on('message', (message: { type?: string }) => {
  if (message.type === 'counts') send({ type: 'counts', counts: server.counts() });
  if (message.type === 'close') {
    void server.close().then(() => {
      send({ type: 'closed' });
      process.disconnect();
    });
  }
});
// The parent dying must not leave the server behind.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', url: server.url });
