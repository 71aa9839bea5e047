import { ChildLink } from './child-link.js';
import type { Availability, OutageServerConfig, OutageServerCounts } from './outage-server.js';
import type { OutageServerCommand, OutageServerMessage } from './outage-server-process.js';

const TIMEOUT_MILLIS = 10_000;

/** The scenario's handle on the outage server process: switch it, read its books, close it. */
export class OutageBackend {
  readonly url: string;
  readonly #link: ChildLink<OutageServerMessage, OutageServerCommand>;

  private constructor(url: string, link: ChildLink<OutageServerMessage, OutageServerCommand>) {
    this.url = url;
    this.#link = link;
  }

  static async start(config: OutageServerConfig): Promise<OutageBackend> {
    const link = new ChildLink<OutageServerMessage, OutageServerCommand>(
      'the outage server',
      new URL('./outage-server-process.js', import.meta.url),
      { ...process.env, SOAK_OUTAGE_SERVER_CONFIG: JSON.stringify(config) },
    );
    const ready = await link.next('ready', TIMEOUT_MILLIS);
    return new OutageBackend(ready.url, link);
  }

  /** Resolves once the server behaves as asked (the listener closed, or listening again). */
  async set(availability: Availability): Promise<void> {
    this.#link.send({ type: 'availability', availability });
    await this.#link.next('availability', TIMEOUT_MILLIS, (m) => m.availability === availability);
  }

  async counts(): Promise<OutageServerCounts> {
    this.#link.send({ type: 'counts' });
    return (await this.#link.next('counts', TIMEOUT_MILLIS)).counts;
  }

  async close(): Promise<void> {
    if (this.#link.exited) return;
    this.#link.send({ type: 'close' });
    await this.#link.whenExited();
  }
}
