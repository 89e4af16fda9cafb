/** The recurrent cells, dropout, the RNN layer and Dense. */
export type { Layer, NamedWeight, KerasLayerConfig, CallOptions } from './layer';
