// A minimal reader of NumPy `.npy` files (versions 1–3): enough to draw 2-D
// masks (bool, integers, floats) as overlays.

const TYPES = {
  b1: Uint8Array, u1: Uint8Array, i1: Int8Array, u2: Uint16Array, i2: Int16Array,
  u4: Uint32Array, i4: Int32Array, f4: Float32Array, f8: Float64Array,
};

export function parseNpy(buffer) {
  const bytes = new Uint8Array(buffer);
  const magic = String.fromCharCode(...bytes.slice(1, 6));
  if (bytes[0] !== 0x93 || magic !== "NUMPY") throw new Error("not a .npy file");
  const view = new DataView(buffer);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.slice(start, start + headerLength));
  const descr = /'descr':\s*'([<>|=])([a-z]\d+)'/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shape) throw new Error("unreadable .npy header");
  if (/'fortran_order':\s*True/.test(header)) throw new Error("Fortran-order arrays are not shown");
  if (descr[1] === ">") throw new Error("big-endian arrays are not shown");
  const Type = TYPES[descr[2]];
  if (!Type) throw new Error(`arrays of ${descr[2]} are not shown`);
  const dims = shape[1].split(",").map((part) => part.trim()).filter(Boolean).map(Number);
  const offset = start + headerLength;
  const count = dims.reduce((a, b) => a * b, 1);
  const data = new Type(buffer.slice(offset, offset + count * Type.BYTES_PER_ELEMENT));
  return { dims, data, dtype: descr[2] };
}

/** Paints a 2-D mask (H×W or H×W×1) onto a canvas: set pixels in `rgba`, the rest clear. */
export function maskToCanvas({ dims, data }, canvas, rgba = [255, 64, 64, 150]) {
  if (dims.length < 2 || (dims.length === 3 && dims[2] !== 1) || dims.length > 3) {
    throw new Error(`a mask must be 2-D, not ${dims.join("×")}`);
  }
  const [height, width] = dims;
  let max = 0;
  for (const value of data) if (value > max) max = value;
  const threshold = max > 1 ? max / 2 : 0.5;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  let set = 0;
  for (let i = 0; i < width * height; i++) {
    if (data[i] >= threshold && data[i] > 0) {
      image.data.set(rgba, i * 4);
      set++;
    }
  }
  context.putImageData(image, 0, 0);
  return set;
}
