/**
 * h5wasm (the HDF5 C library compiled to wasm), loaded on first use: importing it costs ~380 ms,
 * a third of the CLI's start, and most runs read no HDF5 file. `loadH5wasm` (awaited by the one
 * function that opens HDF5 files, openHdf5) loads it; `h5` gives it afterwards to the readers'
 * synchronous code (its `Dataset` and `Group` for instanceof).
 */
type H5Module = typeof import('h5wasm/node');

let loaded: H5Module | undefined;

export async function loadH5wasm(): Promise<H5Module> {
  return (loaded ??= (await import('h5wasm/node')) as H5Module);
}

export function h5(): H5Module {
  if (!loaded) throw new Error('h5wasm used before loadH5wasm(): open files with openHdf5');
  return loaded;
}
