// The collector's own process, forked by startLocalCollector(): a collector is another process, so
// the app's instrumentations never see the collector's server, and the app's event loop never
// runs it. Over IPC it announces its endpoint, then answers each 'report' with what it received.
import { startCollectorServer } from './collector-server.js';

const server = await startCollectorServer();
process.send?.({ endpoint: server.endpoint });
process.on('message', (message) => {
  if (message === 'report') process.send?.({ report: server.report() });
});
// The parent going away (the channel closing) ends the collector too.
process.on('disconnect', () => {
  void server.close();
});
