import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** What is in a spool directory, seen from outside (not through any spool's index). */
export interface SpoolListing {
  /** Every file under the directory, subdirectories (such as `corrupt/`) included. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  readonly bytes: number;
  /** How many of the files are ready batches, leases (held, or left by a killed process), temps. */
  readonly ready: number;
  readonly leased: number;
  readonly temporary: number;
}

/**
 * Lists `directory` recursively. The scenario looks with its own eyes rather than trusting the
 * spool's `files` counter: "empty at the end" must mean nothing on disk, whoever wrote it.
 */
export async function listSpool(directory: string): Promise<SpoolListing> {
  const files: { path: string; bytes: number }[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // not created yet
      throw error;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.push({ path: relative(directory, path), bytes: (await stat(path)).size });
    }
  };
  await walk(directory);
  return {
    files,
    bytes: files.reduce((sum, file) => sum + file.bytes, 0),
    ready: files.filter((file) => file.path.endsWith('.batch')).length,
    leased: files.filter((file) => file.path.endsWith('.lease')).length,
    temporary: files.filter((file) => file.path.endsWith('.tmp')).length,
  };
}

/**
 * How many of the listed files contain one of `secrets`: batch files hold payloads only, never
 * the request's headers or URL, and a spool outlives the process that could have scrubbed it.
 */
export async function filesWithSecrets(
  directory: string,
  listing: SpoolListing,
  secrets: readonly string[],
): Promise<number> {
  let found = 0;
  for (const file of listing.files) {
    let text: string;
    try {
      text = (await readFile(join(directory, file.path))).toString('latin1');
    } catch {
      continue; // replayed and deleted meanwhile
    }
    if (secrets.some((secret) => text.includes(secret))) found++;
  }
  return found;
}
