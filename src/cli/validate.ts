// `callbackd validate` and `callbackd normalize`.
import { createReadStream } from 'node:fs';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import type { Issue } from '../model/core.js';
import type { ModelName } from '../model/core.js';
import { canonicalText, checkDocument, type CheckResult } from './check.js';
import { readDocuments, type RawDocument } from './documents.js';
import { writeLine } from './output.js';

export interface Io {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

import { UsageError } from './usage.js';

export { UsageError };

/** Opens a file, or stdin for `-`; a file that cannot be read is a usage/I-O error (exit 2) that says why in words. */
async function open(file: string, io: Io): Promise<Readable> {
  if (file === '-') return io.stdin;
  let info;
  try {
    info = await stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`,
    );
  }
  if (info.isDirectory()) throw new UsageError(`cannot read ${file}: it is a folder, not a file`);
  try {
    await access(file, constants.R_OK);
  } catch {
    throw new UsageError(`cannot read ${file}: permission denied`);
  }
  return createReadStream(file);
}

const where = (doc: RawDocument) => (doc.line !== undefined ? `document ${doc.index} (line ${doc.line})` : 'document');
const issueLine = (kind: string, i: Issue) => `  ${kind} ${i.path === '' ? '(root)' : i.path}: ${i.message}`;

export interface ValidateOptions {
  strict: boolean;
  json: boolean;
  /** Check every document as this model instead of recognising its shape. */
  model?: ModelName;
  /** Extra checks on each valid document (the lifecycle's timeline rules), as warnings-level problems. */
  extraErrors?: (doc: CheckResult) => Issue[];
}

/** Returns the exit code: 0 all valid, 1 any invalid. */
export async function validate(file: string, options: ValidateOptions, io: Io): Promise<number> {
  const input = await open(file, io);
  let invalid = 0;
  let count = 0;
  for await (const doc of readDocuments(input)) {
    count++;
    const result = doc.ok
      ? checkDocument(doc.value, { strict: options.strict, ...(options.model !== undefined ? { model: options.model } : {}) })
      : ({
          valid: false,
          model: options.model ?? 'CallbackMediaParticipant',
          errors: [{ path: '', message: `not JSON: ${doc.error}` }],
          warnings: [],
        } satisfies CheckResult as CheckResult);
    if (result.valid && options.extraErrors !== undefined) {
      const extra = options.extraErrors(result);
      if (extra.length > 0) {
        result.valid = false;
        result.errors.push(...extra);
      }
    }
    if (!result.valid) invalid++;
    if (options.json) {
      await writeLine(
        io.stdout,
        JSON.stringify({ index: doc.index, model: result.model, valid: result.valid, errors: result.errors, warnings: result.warnings }),
      );
    } else {
      const head = `${where(doc)}: ${result.valid ? 'valid' : 'invalid'} ${result.model}`;
      const counts = [
        result.errors.length > 0 ? `${result.errors.length} error${result.errors.length === 1 ? '' : 's'}` : '',
        result.warnings.length > 0 ? `${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}` : '',
      ].filter(Boolean);
      await writeLine(io.stdout, counts.length > 0 ? `${head} (${counts.join(', ')})` : head);
      for (const e of result.errors) await writeLine(io.stdout, issueLine('error', e));
      for (const w of result.warnings) await writeLine(io.stdout, issueLine('warning', w));
    }
  }
  if (count === 0) throw new UsageError(`${file === '-' ? 'standard input' : file} holds no JSON document`);
  if (!options.json && count > 1) await writeLine(io.stdout, `${count - invalid} valid, ${invalid} invalid`);
  return invalid > 0 ? 1 : 0;
}

/** Prints the canonical encoding of each document; invalid ones go to stderr with their errors. */
export async function normalize(file: string, options: { strict: boolean; model?: ModelName }, io: Io): Promise<number> {
  const input = await open(file, io);
  let invalid = 0;
  let count = 0;
  for await (const doc of readDocuments(input)) {
    count++;
    if (!doc.ok) {
      invalid++;
      await writeLine(io.stderr, `${where(doc)}: invalid\n  error (root): not JSON: ${doc.error}`);
      continue;
    }
    const result = checkDocument(doc.value, { strict: options.strict, ...(options.model !== undefined ? { model: options.model } : {}) });
    if (result.checked === undefined) {
      invalid++;
      await writeLine(io.stderr, `${where(doc)}: invalid ${result.model}`);
      for (const e of result.errors) await writeLine(io.stderr, issueLine('error', e));
      continue;
    }
    // Warnings go to stderr, so that stdout stays the canonical documents alone.
    if (result.warnings.length > 0) await writeLine(io.stderr, `${where(doc)}: ${result.warnings.length} warning(s)`);
    for (const w of result.warnings) await writeLine(io.stderr, issueLine('warning', w));
    await writeLine(io.stdout, canonicalText(result.checked));
  }
  if (count === 0) throw new UsageError(`${file === '-' ? 'standard input' : file} holds no JSON document`);
  return invalid > 0 ? 1 : 0;
}
