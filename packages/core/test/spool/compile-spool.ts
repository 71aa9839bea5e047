import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const SOURCE = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * Compiles core's `src/` to JavaScript in `outDir`, folders kept (type stripping only, with the
 * TypeScript the workspace type-checks with), so that a child process can run the current
 * sources without a build step or a TypeScript loader. Core imports nothing but its own files
 * and Node's modules. Returns the URL of the spool's entry point.
 */
export async function compileSpool(outDir: string): Promise<string> {
  for (const entry of await readdir(SOURCE, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const from = join(entry.parentPath, entry.name);
    const to = join(outDir, relative(SOURCE, from)).replace(/\.ts$/, '.js');
    const { outputText } = ts.transpileModule(await readFile(from, 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
      fileName: entry.name,
    });
    await mkdir(dirname(to), { recursive: true });
    await writeFile(to, outputText);
  }
  await writeFile(join(outDir, 'package.json'), '{ "type": "module" }\n');
  return pathToFileURL(join(outDir, 'spool', 'index.js')).href;
}

/** The child process script of the multi-process tests. */
export const CHILD_SCRIPT: string = fileURLToPath(
  new URL('./fixtures/spool-child.mjs', import.meta.url),
);
