import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const SOURCE = fileURLToPath(new URL('../../src/spool/', import.meta.url));

/**
 * Compiles `src/spool/` to JavaScript in `outDir` (type stripping only, with the TypeScript the
 * workspace type-checks with), so that a child process can run the current sources without a
 * build step or a TypeScript loader. The spool imports nothing outside its folder but Node's own
 * modules. Returns the URL of its entry point.
 */
export async function compileSpool(outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  for (const file of await readdir(SOURCE)) {
    if (!file.endsWith('.ts')) continue;
    const { outputText } = ts.transpileModule(await readFile(join(SOURCE, file), 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
      fileName: file,
    });
    await writeFile(join(outDir, file.replace(/\.ts$/, '.js')), outputText);
  }
  await writeFile(join(outDir, 'package.json'), '{ "type": "module" }\n');
  return pathToFileURL(join(outDir, 'index.js')).href;
}

/** The child process script of the multi-process tests. */
export const CHILD_SCRIPT: string = fileURLToPath(
  new URL('./fixtures/spool-child.mjs', import.meta.url),
);
