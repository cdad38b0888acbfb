import { tf } from '../util/tfjs.js';

/**
 * Runs `fn` with tfjs's DEBUG flag on, its output silenced: DEBUG prints a banner and logs every
 * kernel's profile to stdout/console, which would mix with the benchmark's result. The profile
 * logs come from promise callbacks, so they drain for a moment before output returns.
 */
export async function withTfjsDebug<T>(fn: () => T | Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  const { warn, log } = console;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  console.warn = () => {};
  console.log = () => {};
  tf.env().set('DEBUG', true);
  try {
    return await fn();
  } finally {
    await new Promise((resolve) => setTimeout(resolve, 200));
    tf.env().set('DEBUG', false);
    process.stdout.write = write;
    console.warn = warn;
    console.log = log;
  }
}
