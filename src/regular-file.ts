/**
 * Reading only regular files. A FIFO opened for reading blocks until a writer comes (and a blocked
 * synchronous read blocks the whole process, signals included); a device or a socket never ends.
 * Every file the tool reads that a user or another program could have put there (manifests, site
 * settings, reports in out/, label files, transcripts, recordings) is opened here: without blocking,
 * then checked with fstat, and refused unless it is a regular file. Symbolic links are followed;
 * whether one may leave its folder is the caller's check.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";

/** What a non-regular file is, for messages: "a folder", "a FIFO (named pipe)". */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a folder";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSymbolicLink()) return "a symbolic link";
  return "not a regular file";
}

/** Thrown for a path that exists but is not a regular file; `code` is ENOTREG, `kind` says what it is. */
export class NotRegularFileError extends Error {
  readonly code = "ENOTREG";
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a file`);
    this.name = "NotRegularFileError";
  }
}

const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** A descriptor of `path` opened for reading, if it is a regular file (the caller closes it). */
export function openRegularSync(path: string): number {
  const fd = openSync(path, FLAGS);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new NotRegularFileError(path, kindOf(st));
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** The same, as a FileHandle (the caller closes it). */
export async function openRegular(path: string): Promise<FileHandle> {
  const fh = await open(path, FLAGS);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new NotRegularFileError(path, kindOf(st));
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/**
 * The bytes of a regular file, at most `limit` of them (the rest is not read): a caller that refuses
 * files over a size reads one byte more than its limit and looks at the length.
 */
export function readRegularFileSync(path: string, limit = Number.POSITIVE_INFINITY): Buffer {
  const fd = openRegularSync(path);
  try {
    const size = fstatSync(fd).size;
    const want = Math.min(size, limit);
    const buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, buf, got, want - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Is `path` a regular file (following links)? Never opens it. */
export function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
