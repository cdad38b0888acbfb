import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { DataError } from '../../config/errors.js';
import { describeSniffed, sniff } from './sniff.js';

/**
 * The lines of a text file, plain or gzip-compressed, streamed in 1 MiB chunks so a file of any
 * size goes through in constant memory (no whole-file string; gzip through node:zlib). Yields each
 * line without its line ending, with its 1-based number. Decompressed content that is not text
 * (a gzip of binary data) is refused by what it looks like, never echoed.
 */
export async function* textLines(file: string, gzip = false): AsyncGenerator<{ text: string; line: number }> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const source = gzip ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (gzip) raw.on('error', (e) => source.destroy(e));
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  let line = 0;
  let first = true;
  try {
    for await (const buf of source as AsyncIterable<Buffer>) {
      if (first && gzip) {
        const kind = sniff(buf.subarray(0, 4096));
        if (kind !== 'text') throw new DataError(`gzip-compressed, and inside it ${describeSniffed(kind)}`, { file });
      }
      first = false;
      const text = rest + decoder.decode(buf, { stream: true });
      let start = 0;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
        line++;
        const end = i > start && text.charCodeAt(i - 1) === 13 ? i - 1 : i;
        yield { text: text.slice(start, end), line };
        start = i + 1;
      }
      rest = text.slice(start);
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (gzip && typeof code === 'string' && code.startsWith('Z_'))
      throw new DataError(`corrupt gzip data after line ${line}: ${(e as Error).message}`, { file, line: line || undefined });
    throw new DataError(`cannot read data: ${(e as Error).message}`, { file });
  } finally {
    raw.destroy();
  }
  rest += decoder.decode();
  if (rest.length > 0) yield { text: rest.endsWith('\r') ? rest.slice(0, -1) : rest, line: line + 1 };
}
