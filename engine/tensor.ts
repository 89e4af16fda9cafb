/**
 * The Tensor: a typed array, a readonly shape and a dtype — plus, when it takes part in a
 * computation that needs gradients, a link to the tape entry that produced it.
 */
import { Shape, fmt, OpError } from './shape';
import type { TapeEntry } from './tape';
import { runBackward } from './tape';
import type { DeviceArray, DeviceKernels } from '../kernels/kernel';

/** The element types rnngrad stores. float32 is the default; float64 is for gradient checks. */
export type DType = 'float32' | 'float64';
export type Storage = Float32Array | Float64Array;
export type NestedArray = number | NestedArray[];

export function allocate(dtype: DType, size: number): Storage {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

export function dtypeOf(data: Storage): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

let nextId = 0;

/** The storage that one array's views share: the host array, the device array, or both. */
export class ValueStore {
  constructor(public host: Storage | null, public device: DeviceArray | null) {}

  get length(): number {
    return (this.host ?? this.device!).length;
  }

  get dtype(): DType {
    return this.host ? dtypeOf(this.host) : this.device!.dtype;
  }
}

export class Tensor {
  // #region tensor-fields
  readonly shape: Shape;
  readonly dtype: DType;
  readonly size: number;
  /** A unique id, used by the tape printer. */
  readonly id: number;
  /** Does backward() compute a gradient for this tensor? */
  requiresGrad: boolean;
  /** The accumulated gradient of a leaf tensor after backward(). */
  grad: Tensor | null = null;
  /** The tape entry that produced this tensor (null for leaves and for tensors made under noGrad). */
  entry: TapeEntry | null = null;
  /** An optional label for printing (weights carry their Keras names). */
  name: string | undefined;
  // #endregion tensor-fields

  // #region tensor-storage
  /**
   * Where the values are, shared by the views of one array (reshape, detach). On the js kernels
   * always `host`: flat row-major storage. On a device backend an op's result starts as `device`
   * only (host null) and moves to the host when the host asks for it (`data`); a host array an
   * op uploads keeps both until the host touches it through any of its views.
   */
  private readonly store: ValueStore;

  /**
   * The values on the host, flat and row-major. For a tensor on the device this is the readback
   * (once); from then on the host copy is the only one, so it may be written in place
   * (optimizers update weights this way) and the next device op uploads it again.
   */
  get data(): Storage {
    const s = this.store;
    if (s.device !== null) {
      if (s.host === null) s.host = s.device.read();
      s.device = null; // the host copy is the only one now
    }
    return s.host!;
  }

  /** Where the values are without moving them: the host array, or the device array. */
  get values(): Storage | DeviceArray {
    return this.store.host ?? this.store.device!;
  }

  /** True while the values are on a device and not (yet) on the host. */
  get onDevice(): boolean {
    return this.store.host === null;
  }

  /** The values on `kernels`' device: uploaded once, then kept beside the host copy. */
  deviceValues(kernels: DeviceKernels): DeviceArray {
    const s = this.store;
    if (s.device === null || s.device.owner !== kernels || s.device.released) s.device = kernels.upload(this.data);
    return s.device;
  }

  /** The same values (the same storage, wherever it is) with another shape of the same size. */
  view(shape: Shape, name?: string): Tensor {
    return new Tensor(this.store, shape, false, name);
  }
  // #endregion tensor-storage

  /**
   * Wrap `data` (not copied) with `shape` (not copied either: ops make tensors by the thousand,
   * so the caller hands over an array it will not change; the creation functions copy theirs).
   * `data` may be a DeviceArray: the result of a device kernel, left on the device.
   */
  constructor(data: Storage | DeviceArray | ValueStore, shape: Shape, requiresGrad = false, name?: string) {
    let size = 1;
    for (let i = 0; i < shape.length; i++) {
      const d = shape[i];
      if (!Number.isInteger(d) || d < 0) throw new OpError('tensor', `invalid shape ${fmt(shape)}`);
      size *= d;
    }
    if (data.length !== size) {
      throw new OpError('tensor', `shape ${fmt(shape)} needs ${size} elements, got ${data.length}`);
    }
    if (data instanceof ValueStore) {
      this.store = data;
    } else if (data instanceof Float32Array || data instanceof Float64Array) {
      this.store = new ValueStore(data, null);
    } else if (typeof (data as Partial<DeviceArray>).read === 'function') {
      this.store = new ValueStore(null, data);
    } else {
      throw new OpError('tensor', `data must be a Float32Array or Float64Array (use tensor() for plain arrays), got ${Object.prototype.toString.call(data)}`);
    }
    this.shape = shape;
    this.dtype = this.store.dtype;
    this.size = size;
    this.requiresGrad = requiresGrad;
    this.name = name;
    this.id = nextId++;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new OpError('item', `tensor of shape ${fmt(this.shape)} has ${this.size} elements, not 1`);
    return this.data[0];
  }

  /** Nested plain arrays (a number for a scalar). */
  toArray(): NestedArray {
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === this.shape.length) return this.data[offset];
      const n = this.shape[axis];
      let stride = 1;
      for (let i = axis + 1; i < this.shape.length; i++) stride *= this.shape[i];
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(axis + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** `tensor([[1, 2], [3, 4]], shape=[2,2], float32, requiresGrad)` — at most 6 entries per axis. */
  toString(): string {
    const num = (v: number) => {
      if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
      const s = v.toPrecision(4);
      return s.includes('e') ? s : String(Number(s));
    };
    const show = (a: NestedArray): string => {
      if (typeof a === 'number') return num(a);
      const parts = a.length > 6 ? [...a.slice(0, 3).map(show), '…', ...a.slice(-3).map(show)] : a.map(show);
      return `[${parts.join(', ')}]`;
    };
    const flags = [this.dtype, ...(this.requiresGrad ? ['requiresGrad'] : []), ...(this.name ? [`name=${this.name}`] : [])];
    return `tensor(${show(this.toArray())}, shape=${fmt(this.shape)}, ${flags.join(', ')})`;
  }

  /**
   * Reverse-mode autodiff from this tensor. A scalar needs no argument (dL/dL = 1);
   * any other tensor needs the gradient of the loss with respect to it.
   */
  backward(dOut?: Tensor, options: { retainGraph?: boolean } = {}): void {
    runBackward(this, dOut, options);
  }

  /** The same data, cut from the tape: gradients do not flow through the result. */
  detach(): Tensor {
    return this.view(this.shape, this.name);
  }

  /** A copy of the values on the host, cut from the tape (Keras getWeights hands out these). */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape, false, this.name);
  }

  /** Forget the accumulated gradient. */
  zeroGrad(): void {
    this.grad = null;
  }
}
