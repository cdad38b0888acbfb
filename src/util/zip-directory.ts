/**
 * What a zip's end-of-central-directory record claims, checked against the bytes before fflate's
 * `unzipSync` walks it. fflate trusts the entry count and reads each central header without
 * checking its signature, so a record that claims 2³¹ entries (one flipped byte) would have it loop
 * two billion times over zeros. Here the count must fit the directory: every central header is at
 * least 46 bytes, all of them between the directory's offset and the end record. Returns the
 * reason the archive is refused, or null (fflate's own errors then say what else is wrong).
 */
export function zipDirectoryProblem(data: Uint8Array): string | null {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u32 = (at: number) => (at >= 0 && at + 4 <= data.length ? view.getUint32(at, true) : -1);
  const u16 = (at: number) => (at >= 0 && at + 2 <= data.length ? view.getUint16(at, true) : -1);
  // The end record, found as fflate finds it: the last signature within 64 KiB of the end.
  let e = data.length - 22;
  while (e >= 0 && u32(e) !== 0x06054b50) {
    if (data.length - e > 65558) return 'no end of central directory record';
    e--;
  }
  if (e < 0) return 'no end of central directory record';
  let count = u16(e + 8);
  let offset = u32(e + 16);
  // Zip64: a locator just before the end record points at the zip64 end record (as fflate reads it).
  if (u32(e - 20) === 0x07064b50) {
    const ze = u32(e - 12);
    if (u32(ze) === 0x06064b50) {
      count = u32(ze + 32);
      offset = u32(ze + 48);
    }
  }
  if (count > 0 && (offset < 0 || offset > e)) return `its central directory claims to start at byte ${offset}, past its end record`;
  if (count * 46 > e - offset) return `its central directory claims ${count} entries, more than its ${e - offset} bytes can hold`;
  return null;
}
