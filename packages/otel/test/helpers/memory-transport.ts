import type { SendContext, Transport } from '../../src/index.js';

/** What a send does; the default delivers. */
export type SendBehaviour = (payload: string, context: SendContext) => Promise<void> | void;

/** A transport that keeps every payload it delivered, parsed, and every attempt it saw. */
export class MemoryTransport implements Transport<string> {
  readonly attempts: { payload: string; context: SendContext }[] = [];
  readonly delivered: unknown[][] = [];
  behaviour: SendBehaviour | undefined;
  shutdownCalls = 0;

  constructor(behaviour?: SendBehaviour) {
    this.behaviour = behaviour;
  }

  async send(payload: string, context: SendContext): Promise<void> {
    this.attempts.push({ payload, context });
    await this.behaviour?.(payload, context);
    this.delivered.push(JSON.parse(payload) as unknown[]);
  }

  async shutdown(): Promise<void> {
    this.shutdownCalls++;
  }

  /** Every delivered record, in delivery order. */
  records<T = Record<string, unknown>>(): T[] {
    return this.delivered.flat() as T[];
  }
}
