/**
 * Positional synchronous reads that do not stop at a short read (`fs.readSync` may return fewer
 * bytes than asked for).
 */
import fs from 'node:fs'

/**
 * Fills `buf[0, len)` from file offset `position` of `fd`, reading again after short reads.
 * @returns the bytes read: `len`, or fewer when the file ends first
 */
export function readFullySync(fd: number, buf: Buffer, len: number, position: number): number {
  let got = 0
  while (got < len) {
    const n = fs.readSync(fd, buf, got, len - got, position + got)
    if (n === 0) break
    got += n
  }
  return got
}
