import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The harness module of the SDK line under test, for child processes (which have no aliases). */
export const SDK_MODULE: string = new URL(
  `../../../../compat/otel-sdk-${process.env.OTEL_SDK_LINE === '3' ? 3 : 2}/index.js`,
  import.meta.url,
).href;

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

/** The result of a finished child process. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runFixture}. */
export interface FixtureOptions {
  env?: Record<string, string>;
  args?: string[];
  killAfterMillis?: number;
  /**
   * Also kills the child this long after `onLine` first signals it: a hang guard for a child
   * that must exit by a deadline counted from the signal, which a slow start does not eat into.
   */
  killAfterSignalMillis?: number;
  /** Runs this file instead of the fixture, e.g. a copy installed elsewhere (an absolute path). */
  script?: string;
  /** Called once with each line the child writes to stdout, and with a function to signal it. */
  onLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void;
}

/**
 * Runs a fixture with this Node binary and waits for it to exit; kills it after `killAfterMillis`
 * so that a hang fails the test instead of stalling the suite. Child processes load the built
 * package (`pnpm build`), exactly as users do. The hang guard kills with SIGKILL, which no child
 * raises itself: a hung child can never pass for one that died of the SIGTERM it was sent.
 */
export function runFixture(fixture: string, options: FixtureOptions = {}): Promise<ChildResult> {
  if (!existsSync(DIST)) {
    throw new Error(`${DIST} is missing: run \`pnpm build\` before the child-process tests`);
  }
  const path = options.script ?? fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.args ?? []), path], {
      env: { ...process.env, SDK_MODULE, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.killAfterMillis ?? 15_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    let guard: ReturnType<typeof setTimeout> | undefined;
    const kill = (signal: NodeJS.Signals): void => {
      child.kill(signal);
      if (guard === undefined && options.killAfterSignalMillis !== undefined) {
        guard = setTimeout(() => child.kill('SIGKILL'), options.killAfterSignalMillis);
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      const before = stdout.split('\n').length - 1;
      stdout += chunk.toString();
      const lines = stdout.split('\n');
      for (const line of lines.slice(before, -1)) options.onLine?.(line, kill);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A fixture running with a pipe to its stdin; see {@link startFixture}. */
export interface RunningFixture {
  /** Everything it wrote so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once it exited and its pipes closed. */
  readonly exited: Promise<ChildResult>;
  /** Writes `line` and a newline to its stdin. */
  send(line: string): void;
  /**
   * Resolves with the next stdout line that starts with `prefix`, after the line the previous
   * call returned; rejects when the child exits without writing one.
   */
  next(prefix: string): Promise<string>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts a fixture as {@link runFixture} does, but with a pipe to its stdin, for fixtures that
 * take commands, and returns at once. Killed with SIGKILL after `killAfterMillis` (a hang guard).
 */
export function startFixture(
  fixture: string,
  options: {
    env?: Record<string, string>;
    killAfterMillis?: number;
    /**
     * Runs `command ...args node fixture` instead of `node fixture`: a wrapper that sets up the
     * child's world first, such as `unshare` mounting a small file system.
     */
    wrapper?: readonly string[];
  } = {},
): RunningFixture {
  if (!existsSync(DIST)) {
    throw new Error(`${DIST} is missing: run \`pnpm build\` before the child-process tests`);
  }
  const path = fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url));
  const [command, ...wrapperArgs] = options.wrapper ?? [process.execPath];
  const args = options.wrapper === undefined ? [path] : [...wrapperArgs, process.execPath, path];
  const child = spawn(command as string, args, {
    env: { ...process.env, SDK_MODULE, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: options.killAfterMillis ?? 15_000,
    killSignal: 'SIGKILL',
  });
  let stdout = '';
  let stderr = '';
  let cursor = 0;
  const wakers = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const wake of [...wakers]) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // A child that is gone no longer reads: writes to it must not fail the test.
  child.stdin.on('error', () => {});
  let ended = false;
  const exited = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      ended = true;
      resolve({ code, signal, stdout, stderr });
      for (const wake of [...wakers]) wake();
    });
  });
  const find = (prefix: string): string | undefined => {
    const lines = stdout.split('\n').slice(0, -1);
    for (let i = cursor; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line.startsWith(prefix)) {
        cursor = i + 1;
        return line;
      }
    }
    return undefined;
  };
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    send: (line) => {
      child.stdin.write(`${line}\n`);
    },
    next: (prefix) =>
      new Promise((resolve, reject) => {
        const wake = (): void => {
          const line = find(prefix);
          if (line === undefined && !ended) return;
          wakers.delete(wake);
          if (line !== undefined) resolve(line);
          else {
            reject(
              new Error(
                `the fixture exited before writing a line that starts with ${JSON.stringify(prefix)}\nstdout:\n${stdout}\nstderr:\n${stderr}`,
              ),
            );
          }
        };
        wakers.add(wake);
        wake();
      }),
    kill: (signal) => {
      child.kill(signal);
    },
  };
}
