/**
 * Atomic file writes: the data goes to a temporary file in the same directory, is flushed to
 * disk (fsync), and is renamed over the target. rename(2) within one file system replaces the
 * name in one step, so a reader — or a run killed at any instant — sees the old file or the new
 * one, never a half-written one. The directory is fsynced too, so the rename itself survives a
 * crash of the machine.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The prefix of temporary names: hidden, and never the name of a real model or checkpoint file. */
export const TEMP_MARK = '.tmp-';

/** A fresh temporary name beside `target`: `.<name>.tmp-<pid>-<counter>`. */
let counter = 0;
export function tempNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}${TEMP_MARK}${process.pid}-${counter++}`);
}

/** fsync a directory so that renames inside it are durable (a no-op where the OS refuses). */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** Write `data` to `file` atomically (temp file in the same directory, fsync, rename). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = tempNameFor(file);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'wx');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (e) {
    // Clean up as far as possible, but never let a cleanup failure (ENOTDIR when the directory
    // part of `file` is a file, say) replace the error that explains what went wrong.
    try {
      if (fd !== null) fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
    } catch {
      // The temporary file could not be created or is already gone: nothing to remove.
    }
    throw new Error(`cannot write ${file}: ${describeWriteError(e, file)}`);
  }
  fsyncDir(path.dirname(file));
}

/**
 * The cause of a failed write in terms of the target: Node's message names the temporary file
 * (`ENOTDIR: not a directory, open 'out/.y.json.tmp-…'`), which the user never asked for.
 */
function describeWriteError(e: unknown, file: string): string {
  const err = e as NodeJS.ErrnoException;
  const dir = path.dirname(file);
  if (err.code === 'ENOENT' && !fs.existsSync(dir)) return `the directory ${dir} does not exist (ENOENT)`;
  if (err.code === 'ENOTDIR') return `${dir} is not a directory (ENOTDIR)`;
  if (err.code === 'EISDIR') return `${file} is a directory (EISDIR)`;
  if (err.code === 'EACCES' || err.code === 'EPERM') return `permission denied in ${dir} (${err.code})`;
  // Otherwise Node's own words without the paths ("ENOSPC: no space left on device, write …").
  if (err.code && typeof err.message === 'string') return `${err.message.split(',')[0]}${err.syscall ? ` (${err.syscall})` : ''}`;
  return String(e instanceof Error ? e.message : e);
}
