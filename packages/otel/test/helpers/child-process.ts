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
