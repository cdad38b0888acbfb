import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as TF from '@tensorflow/tfjs';

// The one place critic-doctor imports TensorFlow.js from. tfjs is a peer dependency: the
// application's copy should be the only one. npm shares it when critic-doctor is installed from
// the registry or a tarball, but a folder install (`npm install ../critic-doctor`, `npm link`, a
// monorepo) is a symlink, and Node resolves our imports from its real path, where this repo's own
// dev copy lies: two tfjs, the user's model not ours, hundreds of "kernel … already registered".
// So a tfjs package is taken from where the application's entry script finds it when that is the
// same version as the one we were built against, and from our own location otherwise (the CLI,
// the tests and worker threads run from here and get the same copy either way).

const ours = createRequire(import.meta.url);

/** The version in the package.json nearest above a package's main file. */
function versionOf(main: string): string | undefined {
  for (let dir = path.dirname(main); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) {
      return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
    }
  }
  return undefined;
}

/** Where the application's entry script would import `pkg` from, if it can and it matches ours (if we have one). */
function fromApplication(pkg: string, ownPath?: string): string | undefined {
  const entry = process.argv[1];
  if (!entry) return undefined;
  try {
    const theirs = createRequire(realpathSync(path.resolve(entry))).resolve(pkg);
    if (ownPath === undefined) return theirs;
    if (realpathSync(theirs) === realpathSync(ownPath)) return undefined;
    return versionOf(theirs) === versionOf(ownPath) ? theirs : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Imports a tfjs package (`@tensorflow/tfjs`, a backend) as the application would, so that the
 * application and critic-doctor share one copy. A package that is not installed rejects with
 * Node's own ERR_MODULE_NOT_FOUND.
 */
export async function importPeer(pkg: string): Promise<unknown> {
  let own: string | undefined;
  try {
    own = ours.resolve(pkg);
  } catch {
    // not installed beside us: the application's, if it has one
  }
  const chosen = fromApplication(pkg, own) ?? own;
  // Neither resolves: a plain import, to reject with Node's own ERR_MODULE_NOT_FOUND.
  if (!chosen) return import(pkg);
  // tfjs's packages are CommonJS bundles: required, not imported, they skip Node's scan of their
  // megabytes for named exports (cjs-module-lexer) — 0.25 s of every CLI start. The module is the
  // same instance an `import` of it gives (Node's ESM loader wraps the CommonJS cache entry).
  return chosen.endsWith('.mjs') ? import(pathToFileURL(chosen).href) : ours(chosen);
}

/** TensorFlow.js: the application's copy where it has the same version (see above), else ours. */
export const tf = (await importPeer('@tensorflow/tfjs')) as typeof TF;

// The types the code names as `tf.X`, as `import * as tf` would give them. A namespace of types
// only merges with the value above: one name for both, as the namespace import was.
/* eslint-disable @typescript-eslint/no-namespace */
export declare namespace tf {
  type Tensor<R extends TF.Rank = TF.Rank> = TF.Tensor<R>;
  type Tensor1D = TF.Tensor1D;
  type Tensor2D = TF.Tensor2D;
  type Scalar = TF.Scalar;
  type Variable<R extends TF.Rank = TF.Rank> = TF.Variable<R>;
  type TensorInfo = TF.TensorInfo;
  type NamedTensorMap = TF.NamedTensorMap;
  type NamedTensorInfoMap = TF.NamedTensorInfoMap;
  type NamedAttrMap = TF.NamedAttrMap;
  type DataType = TF.DataType;
  type Rank = TF.Rank;
  type LayersModel = TF.LayersModel;
  type SymbolicTensor = TF.SymbolicTensor;
  type Sequential = TF.Sequential;
  type Optimizer = TF.Optimizer;
  type CustomCallback = TF.CustomCallback;
  type LayerVariable = TF.LayerVariable;
  namespace io {
    type IOHandler = TF.io.IOHandler;
    type ModelArtifacts = TF.io.ModelArtifacts;
    type WeightsManifestEntry = TF.io.WeightsManifestEntry;
  }
  namespace layers {
    type Layer = TF.layers.Layer;
  }
  namespace serialization {
    type ConfigDict = TF.serialization.ConfigDict;
  }
}
/* eslint-enable @typescript-eslint/no-namespace */
