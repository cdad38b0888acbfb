/** A named tensor of a weights file (a state_dict, safetensors), values as float32 in the file's layout. */
export interface StateTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}
