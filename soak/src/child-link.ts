import { type ChildProcess, fork } from 'node:child_process';

/**
 * The parent's end of a forked soak process: typed messages over the IPC channel, each awaited
 * with a time limit, so that a child that hangs or dies fails the run with a message that names
 * it instead of stalling until the watchdog.
 */
export class ChildLink<Incoming extends { readonly type: string }, Outgoing> {
  readonly name: string;
  readonly child: ChildProcess;
  readonly #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Messages nobody waited for yet, oldest first: a reply may come before its `next()`. */
  readonly #inbox: Incoming[] = [];
  readonly #waiters = new Set<() => void>();
  /** The process exited and its IPC channel is closed: no message can arrive any more. */
  #gone = false;

  constructor(name: string, module: URL, env: NodeJS.ProcessEnv, execArgv: string[] = []) {
    this.name = name;
    this.child = fork(module, [], {
      env,
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: Incoming) => {
      this.#inbox.push(message);
      this.#wakeAll();
    });
    this.#exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    // 'exit' can come before the last messages are read; 'close' comes after the channel ends.
    this.child.once('close', () => {
      this.#gone = true;
      this.#wakeAll();
    });
  }

  #wakeAll(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /** The process id (defined once forked). */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Whether the process has exited (and was reaped: its pid no longer exists). */
  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  send(message: Outgoing): void {
    this.child.send(message as object);
  }

  /**
   * The next message of `type` that `matches` (others stay in the inbox for their own waiters:
   * replies to concurrent requests may come in any order).
   */
  async next<T extends Incoming['type']>(
    type: T,
    timeoutMillis: number,
    matches: (message: Extract<Incoming, { type: T }>) => boolean = () => true,
  ): Promise<Extract<Incoming, { type: T }>> {
    const deadline = performance.now() + timeoutMillis;
    for (;;) {
      const index = this.#inbox.findIndex(
        (message) => message.type === type && matches(message as Extract<Incoming, { type: T }>),
      );
      if (index >= 0) {
        const [message] = this.#inbox.splice(index, 1);
        return message as Extract<Incoming, { type: T }>;
      }
      if (this.#gone) {
        throw new Error(
          `${this.name} exited (code ${this.child.exitCode}, signal ${this.child.signalCode}) before sending '${type}'`,
        );
      }
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${this.name} sent no '${type}' within ${timeoutMillis} ms`);
      await this.#nextEvent(left);
    }
  }

  /** Resolves at the next message or exit, or after `millis`; several waiters may wait at once. */
  #nextEvent(millis: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, millis);
      this.#waiters.add(wake);
    });
  }

  /** Sends a signal and resolves once the process has exited and been reaped. */
  async kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null }> {
    if (!this.exited) this.child.kill(signal);
    return this.#exited;
  }

  /** Resolves once the process has exited, whatever ended it. */
  whenExited(): Promise<{ code: number | null; signal: string | null }> {
    return this.#exited;
  }
}
