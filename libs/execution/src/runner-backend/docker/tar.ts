import { Readable } from 'node:stream';
import * as tar from 'tar-stream';

/** Reads every regular file of a tar stream into memory, keyed by its path without the top folder. */
export async function unpackTar(stream: NodeJS.ReadableStream): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => chunks.push(c as Buffer));
      body.on('end', () => {
        if (header.type === 'file') files.set(header.name.split('/').slice(1).join('/'), Buffer.concat(chunks));
        next();
      });
      body.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  (stream as Readable).pipe(extract);
  await done;
  return files;
}
