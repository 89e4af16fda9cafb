/**
 * Writing gpu.js shader source for flat (1-D) kernels: a thread's flat index t turned into
 * row-major coordinates, and index expressions over them. Used by the device kernels
 * (device.ts, device-nn.ts).
 */
import type { Shape } from '../../engine/shape';

/**
 * The row-major coordinates of the flat index t in `shape`, as shader statements declaring
 * `${name}0 … ${name}{rank−1}` (floorDiv is exact integer division, registered by GpuContext).
 */
export function coordinates(shape: Shape, name: string, t = 't'): string {
  const lines: string[] = [];
  let rest = t;
  for (let i = 0; i < shape.length; i++) {
    const stride = shape.slice(i + 1).reduce((a, b) => a * b, 1);
    lines.push(`const ${name}${i} = floorDiv(${rest}, ${stride});`);
    if (i < shape.length - 1) {
      lines.push(`const ${name}r${i} = ${rest} - ${name}${i} * ${stride};`);
      rest = `${name}r${i}`;
    }
  }
  return lines.join('\n    ');
}

/** Σ coord_i · stride_i as a shader expression (0 for a scalar). */
export function dot(name: string, strides: readonly number[], offsets?: readonly number[]): string {
  const terms = strides.map((s, i) => (offsets && offsets[i] ? `(${name}${i} + ${offsets[i]}) * ${s}` : `${name}${i} * ${s}`));
  return terms.length > 0 ? terms.join(' + ') : '0';
}

export function rowMajorStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

