/**
 * Opening a segment's files on libuv's thread pool (log loading at broker start-up, issue 11:
 * disk I/O off the event loop): the descriptor opened as the synchronous constructors open it
 * (`r+`, created `w+` when missing) and, for an index, its whole content read. The results are
 * handed to the `LogSegment`, `OffsetIndex` and `TimeIndex` constructors, which then touch no file.
 */
import fs from 'node:fs'

/** An index file opened asynchronously: its descriptor and its entries' bytes (whole entries only). */
export interface OpenedIndexFile { fd: number; bytes: Buffer }

/** Opens `file` read-write, creating it when missing. Rejects with the fs error. */
export async function openReadWriteAsync(file: string): Promise<number> {
  // plain descriptors (callback API): a FileHandle would close its descriptor when collected
  const open = (flags: string): Promise<number> => new Promise((resolve, reject) => fs.open(file, flags, (e, fd) => (e ? reject(e) : resolve(fd))))
  try {
    return await open('r+')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    return open('w+')
  }
}

/** Size of the open file `fd` in bytes. */
export function fileSizeAsync(fd: number): Promise<number> {
  return new Promise((resolve, reject) => fs.fstat(fd, (e, st) => (e ? reject(e) : resolve(st.size))))
}

/**
 * Opens an index file (created when missing) and reads its entries (`entrySize` bytes each; a
 * trailing partial entry is left out). `load` false reads nothing (recovery rebuilds the index).
 */
export async function openIndexFileAsync(file: string, entrySize: number, load: boolean): Promise<OpenedIndexFile> {
  const fd = await openReadWriteAsync(file)
  try {
    if (!load) return {fd, bytes: Buffer.alloc(0)}
    const len = await fileSizeAsync(fd)
    const bytes = Buffer.allocUnsafe(len - (len % entrySize))
    let got = 0
    while (got < bytes.length) {
      const n = await new Promise<number>((resolve, reject) =>
        fs.read(fd, bytes, got, bytes.length - got, got, (e, r) => (e ? reject(e) : resolve(r))))
      if (n === 0) break
      got += n
    }
    return {fd, bytes: got === bytes.length ? bytes : bytes.subarray(0, got - (got % entrySize))}
  } catch (e) {
    fs.close(fd, () => undefined)
    throw e
  }
}
