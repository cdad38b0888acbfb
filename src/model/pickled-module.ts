import { weightsError } from './keras-model.js';
import { Inert, PickledTensor } from './pickle.js';

/**
 * The tensors of what a PyTorch pickle holds, by name: a state_dict's own names; for a whole
 * pickled module (`torch.save(model)`) or a TorchScript archive, each parameter and buffer by its
 * module path — `critic.0.weight`, `qf0.2.bias` — the names `model.state_dict()` would give. The
 * module is walked as data: its class is a name on an inert record, never looked up.
 */
export function pickledTensors(root: unknown, file: string): [string, PickledTensor][] {
  if (root instanceof Map) return stateDictTensors(root, file);
  if (root instanceof Inert && !root.called) {
    const out: [string, PickledTensor][] = [];
    walkModule(root, '', 0, out, file);
    if (out.length === 0) weightsError(file, `the pickled ${shortClass(root.cls)} holds no tensors`);
    return out;
  }
  if (root instanceof Inert)
    weightsError(file, `the pickle is a call of ${dotted(root.cls)}, not a state_dict or a module; nothing in the file is run`);
  return weightsError(file, 'the pickle is not a dict of tensors or a module: save critic.state_dict() or the critic module');
}

/** A module's nesting deeper than this is not a critic: refused before the walk can exhaust the stack. */
const MAX_DEPTH = 64;

/**
 * An nn.Module pickled by torch.save: its `_parameters`, `_buffers` and `_modules` (OrderedDicts)
 * in their order; a TorchScript module: its attributes, tensors and submodules in the order saved.
 */
function walkModule(m: Inert, prefix: string, depth: number, out: [string, PickledTensor][], file: string): void {
  if (depth > MAX_DEPTH)
    weightsError(file, `modules nested more than ${MAX_DEPTH} deep (${prefix.slice(0, 40)}…): a module holding itself?`);
  const state = m.state;
  if (!(state instanceof Map)) return;
  const isModule = state.get('_modules') instanceof Map;
  const entries = isModule
    ? [...mapEntries(state.get('_parameters')), ...mapEntries(state.get('_buffers')), ...mapEntries(state.get('_modules'))]
    : [...state];
  for (const [key, value] of entries) {
    const name = `${prefix}${String(key)}`;
    if (value instanceof PickledTensor) out.push([name, value]);
    else if (value instanceof Inert && !value.called) walkModule(value, `${name}.`, depth + 1, out, file);
  }
}

function mapEntries(v: unknown): [unknown, unknown][] {
  return v instanceof Map ? [...v] : [];
}

/** A state_dict: an OrderedDict of tensors, every value a tensor; a training checkpoint's nested dicts are named. */
function stateDictTensors(root: Map<unknown, unknown>, file: string): [string, PickledTensor][] {
  refuseCheckpoint(root, file);
  return [...root].map(([name, t]) => {
    if (t instanceof Inert && t.called)
      weightsError(file, `${String(name)} is not a tensor: the pickle would call ${dotted(t.cls)} there; nothing in the file is run`);
    if (!(t instanceof PickledTensor)) weightsError(file, `${String(name)} is not a tensor`);
    return [String(name), t as PickledTensor];
  });
}

/**
 * A training checkpoint (`torch.save({'critic': critic.state_dict(), 'step': …})`) holds the
 * state_dict under a key: said so, with the keys that hold tensors, rather than "not a tensor".
 */
function refuseCheckpoint(root: Map<unknown, unknown>, file: string): void {
  if ([...root.values()].every((v) => v instanceof PickledTensor)) return;
  const holdsTensors = (v: unknown) =>
    (v instanceof Map && [...v.values()].some((t) => t instanceof PickledTensor)) || (v instanceof Inert && !v.called);
  const dicts = [...root].filter(([, v]) => holdsTensors(v)).map(([k]) => String(k));
  if (dicts.length === 0) return;
  weightsError(
    file,
    `a checkpoint dict (keys ${[...root.keys()].map(String).join(', ')}), not a state_dict: ` +
      `save the critic's own, e.g. torch.save(ckpt['${dicts[0]}'], 'critic.pt')`,
  );
}

/** `posix system` → `posix.system`. */
function dotted(name: string): string {
  return name.replace(' ', '.');
}

/** `__main__ Critic` → `Critic`, `__torch__.torch.nn.modules.linear Linear` → `Linear`. */
function shortClass(name: string): string {
  return name.split(' ').at(-1) ?? name;
}
