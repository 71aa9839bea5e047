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

/**
 * Runs a fixture with this Node binary and waits for it to exit; kills it after `killAfterMillis`
 * so that a hang fails the test instead of stalling the suite. Child processes load the built
 * package (`pnpm build`), exactly as users do.
 */
export function runFixture(
  fixture: string,
  options: { env?: Record<string, string>; args?: string[]; killAfterMillis?: number } = {},
): Promise<ChildResult> {
  if (!existsSync(DIST)) {
    throw new Error(`${DIST} is missing: run \`pnpm build\` before the child-process tests`);
  }
  const path = fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.args ?? []), path], {
      env: { ...process.env, SDK_MODULE, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.killAfterMillis ?? 15_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
