// The outage server in a process of its own: it outlives every emitter the scenario starts and
// kills, and its parsing neither shares their event loops nor counts in their heaps. Talks to the
// soak over the IPC channel; see OutageServerCommand and OutageServerMessage.
import {
  type Availability,
  type OutageServerConfig,
  type OutageServerCounts,
  startOutageServer,
} from './outage-server.js';

/** Messages from the soak. */
export type OutageServerCommand =
  | { readonly type: 'availability'; readonly availability: Availability }
  | { readonly type: 'counts' }
  | { readonly type: 'close' };

/** Messages to the soak. */
export type OutageServerMessage =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'availability'; readonly availability: Availability }
  | { readonly type: 'counts'; readonly counts: OutageServerCounts };

const send = (message: OutageServerMessage): void => {
  process.send?.(message);
};

const config = JSON.parse(
  process.env.SOAK_OUTAGE_SERVER_CONFIG ?? 'null',
) as OutageServerConfig | null;
if (config === null || process.send === undefined) {
  console.error('outage-server-process: run by the soak through child_process.fork()');
  process.exit(2);
}
const server = await startOutageServer(config);
process.on('message', (command: OutageServerCommand) => {
  switch (command.type) {
    case 'availability':
      void server.setAvailability(command.availability).then(
        () => send({ type: 'availability', availability: server.availability }),
        (error: unknown) => {
          // The port was taken meanwhile: the scenario cannot go on, and says why.
          console.error('outage server: cannot listen again', error);
          process.exit(1);
        },
      );
      return;
    case 'counts':
      send({ type: 'counts', counts: server.counts() });
      return;
    case 'close':
      void server.close().then(() => process.disconnect());
      return;
  }
});
// The soak dying must not leave the server behind.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', url: server.url });
