#!/usr/bin/env node
// Type-checks the TypeScript code blocks of the documentation, as a user who pastes them into a
// strict project would see them: every ```ts (or ```typescript) block of README.md and
// docs/**/*.md (docs/api, the generated API site, excluded), or of the Markdown files given as
// arguments, becomes a module of a scratch project in a temporary directory, checked with
// `tsc --strict --exactOptionalPropertyTypes --noEmit`, module and moduleResolution nodenext,
// against the built packages (run `tsc -b` first) and the OpenTelemetry packages installed in
// this workspace. Failures are reported as file:line of the Markdown, and the exit code is 1.
//
//   node scripts/check-snippets.mjs [--keep] [file.md ...]
//
// Each block is its own ES module (top-level await works), so it imports what it uses. For what a
// block leaves to its surroundings, put an HTML comment right before it (blank lines between are
// fine; the comment does not show on GitHub or in TypeDoc):
//
//   <!-- snippet: skip (why) -->     not checked: say why, such as "shows one line replaced"
//   <!-- snippet: continue -->       the block continues the previous ts block of the same file:
//                                    one module, so the earlier block's names are in scope
//   <!-- snippet:
//   import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
//   declare const exporter: LogRecordExporter;
//   -->                              any other text is TypeScript put before the block (a
//                                    prelude): imports and `declare const` for what it uses
//
// Several comments may precede one block (a `continue` and a prelude, say). A `declare const`
// inside the block itself works too, when the reader should see it.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const wanted = args.filter((a) => !a.startsWith('--'));

const TS_FENCE = /^( {0,3})(`{3,}|~{3,})\s*(ts|typescript)\s*$/;
const ANY_FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const SNIPPET_COMMENT = /^\s*<!--\s*snippet:([\s\S]*?)-->\s*$/;

/** Markdown files to read: the arguments, or README.md and docs/**\/*.md. */
function markdownFiles() {
  if (wanted.length > 0) return wanted.map((file) => resolve(file));
  const files = [join(root, 'README.md')];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && path !== join(root, 'docs/api')) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.md')) files.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk(join(root, 'docs'));
  return files;
}

/**
 * The ts blocks of one Markdown file: `{ line, code, prelude, preludeLine, skip, continues }`,
 * with `line` the 1-based line of the block's first code line.
 */
function extractBlocks(text) {
  const lines = text.split(/\r?\n/);
  const blocks = [];
  let pending = []; // snippet comments seen since the last block or prose line
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const open = ANY_FENCE.exec(line);
    if (open) {
      const [, indent, fence] = open;
      const isTs = TS_FENCE.test(line);
      const start = i + 1;
      let end = start;
      while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end++;
      if (isTs) {
        const code = lines
          .slice(start, end)
          .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
        blocks.push({ line: start + 1, code, ...directives(pending) });
      }
      pending = [];
      i = end;
      continue;
    }
    // A snippet comment, possibly over several lines.
    if (/^\s*<!--\s*snippet:/.test(line)) {
      let end = i;
      while (end < lines.length && !lines[end].includes('-->')) end++;
      const comment = lines.slice(i, end + 1).join('\n');
      const match = SNIPPET_COMMENT.exec(comment);
      if (match) pending.push({ text: match[1], line: i + 1 });
      i = end;
      continue;
    }
    if (line.trim() !== '') pending = [];
  }
  return blocks;
}

/** What the snippet comments before a block ask for. */
function directives(comments) {
  const result = { skip: undefined, continues: false, prelude: [], preludeLine: 0 };
  for (const { text, line } of comments) {
    const word = text.trim();
    if (/^skip\b/.test(word)) {
      result.skip = word.replace(/^skip\s*\(?/, '').replace(/\)$/, '') || 'no reason given';
    } else if (word === 'continue') result.continues = true;
    else {
      // The prelude's first line sits on the comment's first line, after "snippet:".
      const preludeLines = text.split('\n');
      if (preludeLines[0].trim() === '') preludeLines.shift();
      else preludeLines[0] = preludeLines[0].trim();
      result.prelude.push({ lines: preludeLines, line: text.startsWith('\n') ? line + 1 : line });
    }
  }
  return result;
}

/** Symlinks every package a snippet may import into the scratch project's node_modules. */
function linkPackages(modules) {
  mkdirSync(join(modules, '@telemetry-reporter'), { recursive: true });
  for (const name of readdirSync(join(root, 'packages'))) {
    const manifest = join(root, 'packages', name, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkgName = JSON.parse(readFileSync(manifest, 'utf8')).name;
    symlinkSync(join(root, 'packages', name), join(modules, pkgName), 'dir');
  }
  mkdirSync(join(modules, '@types'), { recursive: true });
  symlinkSync(
    realpathSync(join(root, 'node_modules/@types/node')),
    join(modules, '@types/node'),
    'dir',
  );
  // Third-party packages the examples and the SDK 2.x harness install; the first one found of
  // each name wins, the SDK 2.x harness first.
  const sources = [join(root, 'compat/otel-sdk-2/node_modules')];
  for (const example of readdirSync(join(root, 'examples')).sort()) {
    sources.push(join(root, 'examples', example, 'node_modules'));
  }
  for (const source of sources.filter((dir) => existsSync(dir))) {
    for (const entry of readdirSync(source)) {
      if (entry.startsWith('.') || entry.startsWith('@telemetry-reporter')) continue;
      const names = entry.startsWith('@')
        ? readdirSync(join(source, entry)).map((inner) => `${entry}/${inner}`)
        : [entry];
      for (const name of names) {
        const target = join(modules, name);
        if (existsSync(target)) continue;
        mkdirSync(join(target, '..'), { recursive: true });
        symlinkSync(realpathSync(join(source, name)), target, 'dir');
      }
    }
  }
}

// Extract.
const files = markdownFiles();
/** One scratch module per block (continued blocks share their first block's module). */
const modules = [];
let total = 0;
const skipped = [];
const notes = [];
for (const file of files) {
  const shown = relative(root, file).startsWith('..') ? file : relative(root, file);
  let previous;
  for (const block of extractBlocks(readFileSync(file, 'utf8'))) {
    total++;
    const where = `${shown}:${block.line - 1}`;
    if (block.skip !== undefined) {
      skipped.push(`${where} (${block.skip})`);
      continue;
    }
    const lines = []; // [text, origin]; origin: { file, line } of the Markdown
    for (const prelude of block.prelude) {
      prelude.lines.forEach((text, i) => {
        lines.push([text, { file: shown, line: prelude.line + i, prelude: true, block: where }]);
      });
    }
    block.code.forEach((text, i) => {
      lines.push([text, { file: shown, line: block.line + i, block: where }]);
    });
    if (block.continues && previous) {
      previous.lines.push(...lines);
      previous.blocks.push(where);
    } else {
      if (block.continues)
        notes.push(`${where}: "continue" with no ts block before it, checked alone`);
      previous = { name: `snippet-${modules.length + 1}.ts`, lines, blocks: [where] };
      modules.push(previous);
    }
  }
}

if (modules.length === 0) {
  console.log(`no ts block to check in ${files.length} file(s)`);
  process.exit(0);
}

// Type-check.
const scratch = mkdtempSync(join(tmpdir(), 'telemetry-reporter-snippets-'));
let failedBlocks = new Set();
try {
  linkPackages(join(scratch, 'node_modules'));
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          moduleDetection: 'force',
          strict: true,
          exactOptionalPropertyTypes: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files: modules.map((m) => m.name),
      },
      null,
      2,
    ),
  );
  for (const m of modules) {
    writeFileSync(join(scratch, m.name), `${m.lines.map(([text]) => text).join('\n')}\n`);
  }
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const { stdout, stderr, status } = spawnSync(
    process.execPath,
    [tsc, '-p', '.', '--pretty', 'false'],
    {
      cwd: scratch,
      encoding: 'utf8',
    },
  );
  // Map "snippet-3.ts(12,5): error TS2304: ..." back to the Markdown.
  const errors = [];
  let current;
  for (const line of `${stdout}${stderr}`.split('\n')) {
    const match = /^(snippet-\d+\.ts)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (match) {
      const [, name, lineNo, column, code, message] = match;
      const m = modules.find((candidate) => candidate.name === name);
      const origin = m?.lines[Number(lineNo) - 1]?.[1];
      const block = origin?.block ?? m?.blocks[0] ?? name;
      current = {
        where: origin
          ? `${origin.file}:${origin.line}${origin.prelude ? ' (in the snippet comment)' : `:${column}`}`
          : `${name}:${lineNo}`,
        block,
        code,
        message,
      };
      errors.push(current);
    } else if (current && line.startsWith('  ')) {
      current.message += `\n${line}`;
    } else if (line.trim() !== '') {
      errors.push({ where: 'tsc', block: 'tsc', code: '', message: line });
    }
  }
  if (status !== 0 && errors.length === 0)
    errors.push({ where: 'tsc', block: 'tsc', code: '', message: `exit ${status}` });
  failedBlocks = new Set(errors.map((e) => e.block));
  // In the order of the documents, whatever order tsc reported in.
  const order = ['tsc', ...modules.flatMap((m) => m.blocks)];
  for (const block of [...failedBlocks].sort((a, b) => order.indexOf(a) - order.indexOf(b))) {
    console.log(`FAIL block at ${block}`);
    for (const e of errors.filter((x) => x.block === block)) {
      console.log(
        `     ${e.where}: ${e.code ? `${e.code} ` : ''}${e.message.replace(/\n/g, '\n       ')}`,
      );
    }
  }
} finally {
  if (keep) console.log(`scratch project kept in ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}

for (const s of skipped) console.log(`skip block at ${s}`);
for (const note of notes) console.log(`note ${note}`);
const checked = total - skipped.length;
console.log(
  `\n${checked} ts block(s) checked in ${files.length} file(s): ${checked - failedBlocks.size} pass, ${failedBlocks.size} fail`,
);
process.exitCode = failedBlocks.size > 0 ? 1 : 0;
