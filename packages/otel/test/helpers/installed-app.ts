import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const OTEL = join(ROOT, 'packages', 'otel');

/** An app installed in a temporary folder, with its own node_modules. */
export interface InstalledApp {
  /** The folder: run `app.mjs` there to resolve from its node_modules. */
  readonly dir: string;
  /** Runs `app.mjs` with this Node binary; resolves with its output once it exits. */
  run(env?: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Deletes the folder. */
  remove(): void;
}

/** Options of {@link installApp}. */
export interface InstallOptions {
  /** The SDK line whose packages are linked. */
  line: number;
  /** Link `@opentelemetry/sdk-logs` of that line. */
  sdkLogs: boolean;
  /** More of our packages to copy (their `dist`), e.g. `transport-http`. */
  ours?: string[];
  /** More packages of the SDK line's harness to link, e.g. `@opentelemetry/sdk-trace-base`. */
  link?: string[];
}

/**
 * Installs the built `@telemetry-reporter/otel` (`pnpm build` first) into a fresh folder, the way
 * a package manager would for an app: our packages copied, `@opentelemetry/api` and, with
 * `sdkLogs`, `@opentelemetry/sdk-logs` of the SDK line `line` linked beside them, and nothing
 * else resolvable. `fixture` (from test/fixtures) becomes the app's `app.mjs`, beside the
 * fixtures' shared `app-parts.mjs`.
 */
export function installApp(fixture: string, options: InstallOptions): InstalledApp {
  if (!existsSync(join(OTEL, 'dist', 'index.js'))) {
    throw new Error(`${OTEL}/dist is missing: run \`pnpm build\` before the child-process tests`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'telemetry-reporter-app-'));
  const modules = join(dir, 'node_modules');
  const manifest = JSON.parse(readFileSync(join(OTEL, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const ours = (options.ours ?? []).map((name) => `@telemetry-reporter/${name}`);
  for (const name of ['@telemetry-reporter/otel', ...Object.keys(manifest.dependencies), ...ours]) {
    const source =
      name === '@telemetry-reporter/otel'
        ? OTEL
        : realpathSync(join(ROOT, 'packages', name.replace('@telemetry-reporter/', '')));
    const target = join(modules, name);
    mkdirSync(target, { recursive: true });
    cpSync(join(source, 'package.json'), join(target, 'package.json'));
    cpSync(join(source, 'dist'), join(target, 'dist'), { recursive: true });
  }
  const sdk = join(ROOT, 'compat', `otel-sdk-${options.line}`, 'node_modules');
  const link = (name: string): void =>
    symlinkSync(realpathSync(join(sdk, name)), join(modules, name), 'dir');
  mkdirSync(join(modules, '@opentelemetry'));
  link('@opentelemetry/api');
  if (options.sdkLogs) link('@opentelemetry/sdk-logs');
  for (const name of options.link ?? []) link(name);
  cpSync(fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url)), join(dir, 'app.mjs'));
  // What the fixture apps share, which they import from beside them.
  cpSync(
    fileURLToPath(new URL('../fixtures/app-parts.mjs', import.meta.url)),
    join(dir, 'app-parts.mjs'),
  );
  return {
    dir,
    run: (env = {}) =>
      new Promise((resolve, reject) => {
        const child = execFile(
          process.execPath,
          [join(dir, 'app.mjs')],
          { cwd: dir, env: { ...process.env, NODE_PATH: '', ...env }, timeout: 15_000 },
          (error, stdout, stderr) => {
            if (error !== null && typeof error.code !== 'number') reject(error);
            else resolve({ code: child.exitCode ?? -1, stdout, stderr });
          },
        );
      }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
