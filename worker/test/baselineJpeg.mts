// A minimal baseline JPEG writer (ITU-T T.81, sequential DCT, Huffman coded), for the chroma
// subsampling that sharp cannot write: 4:2:2 (luma sampled twice across, once down), which many
// cameras use. The quantization tables grow with frequency and the Huffman tables give every
// symbol a code of the same length (valid tables, not small files); no restart markers.

const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40,
  48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29,
  22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54,
  47, 55, 62, 63,
];

/** Quantizer for coefficient (u, v), natural order: finer for luma, coarser at high frequency. */
const quantTable = (base: number) =>
  Array.from({ length: 64 }, (_, i) => base + 2 * ((i >> 3) + (i & 7)));

/** A Huffman table in which each symbol has a code of `length` bits (canonical order). */
function huffman(symbols: number[], length: number) {
  const counts = new Array<number>(16).fill(0);
  counts[length - 1] = symbols.length;
  const codes = new Map(symbols.map((s, i) => [s, i]));
  return { counts, symbols, codes, length };
}
type Huffman = ReturnType<typeof huffman>;

const DC = huffman(
  Array.from({ length: 12 }, (_, i) => i),
  4,
);
const AC = huffman(
  [
    0x00,
    0xf0,
    ...Array.from(
      { length: 16 * 10 },
      (_, i) => ((i / 10) << 4) | ((i % 10) + 1),
    ),
  ],
  8,
);

class Bits {
  bytes: number[] = [];
  private acc = 0;
  private n = 0;
  put(value: number, count: number) {
    for (let i = count - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) this.flush();
    }
  }
  private flush() {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0); // byte stuffing
    this.acc = 0;
    this.n = 0;
  }
  end() {
    while (this.n) this.put(1, 1); // pad with one bits
  }
}

const COS = Array.from({ length: 64 }, (_, i) => {
  const [x, u] = [i >> 3, i & 7];
  return (
    Math.cos(((2 * x + 1) * u * Math.PI) / 16) *
    (u ? 0.5 : Math.SQRT1_2 / 2) *
    2
  );
});

/** The forward DCT of an 8x8 block of samples (level-shifted), natural order. */
function fdct(block: number[]): number[] {
  const rows = new Array<number>(64).fill(0);
  for (let y = 0; y < 8; y++)
    for (let u = 0; u < 8; u++) {
      let sum = 0;
      for (let x = 0; x < 8; x++) sum += block[y * 8 + x] * COS[x * 8 + u];
      rows[y * 8 + u] = sum / 2;
    }
  const out = new Array<number>(64).fill(0);
  for (let u = 0; u < 8; u++)
    for (let v = 0; v < 8; v++) {
      let sum = 0;
      for (let y = 0; y < 8; y++) sum += rows[y * 8 + u] * COS[y * 8 + v];
      out[v * 8 + u] = sum / 2;
    }
  return out;
}

function category(value: number) {
  let size = 0;
  for (let a = Math.abs(value); a; a >>= 1) size++;
  return size;
}

function putValue(bits: Bits, value: number, size: number) {
  bits.put(value < 0 ? value + (1 << size) - 1 : value, size);
}

function encodeBlock(
  bits: Bits,
  samples: number[],
  quant: number[],
  previousDc: number,
) {
  const coefficients = fdct(samples.map(s => s - 128));
  const q = ZIGZAG.map(i => Math.round(coefficients[i] / quant[i]));
  const diff = q[0] - previousDc;
  const size = category(diff);
  bits.put(DC.codes.get(size)!, DC.length);
  putValue(bits, diff, size);
  let run = 0;
  for (let k = 1; k < 64; k++) {
    if (q[k] === 0) {
      run++;
      continue;
    }
    for (; run > 15; run -= 16) bits.put(AC.codes.get(0xf0)!, AC.length);
    const s = category(q[k]);
    bits.put(AC.codes.get((run << 4) | s)!, AC.length);
    putValue(bits, q[k], s);
    run = 0;
  }
  if (run) bits.put(AC.codes.get(0x00)!, AC.length);
  return q[0];
}

function segment(marker: number, body: number[]) {
  return [
    0xff,
    marker,
    (body.length + 2) >> 8,
    (body.length + 2) & 0xff,
    ...body,
  ];
}

function huffmanSegment(table: Huffman, id: number) {
  return [id, ...table.counts, ...table.symbols];
}

/** Encodes width x height RGB pixels (3 bytes each) as a baseline 4:2:2 JPEG. */
export function jpeg422(
  rgb: Uint8Array,
  width: number,
  height: number,
): Buffer {
  const plane = (f: (r: number, g: number, b: number) => number) => {
    const out = new Float64Array(width * height);
    for (let i = 0; i < out.length; i++)
      out[i] = f(rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]);
    return out;
  };
  const y = plane((r, g, b) => 0.299 * r + 0.587 * g + 0.114 * b);
  const cb = plane((r, g, b) => -0.168736 * r - 0.331264 * g + 0.5 * b + 128);
  const cr = plane((r, g, b) => 0.5 * r - 0.418688 * g - 0.081312 * b + 128);
  const at = (p: Float64Array, px: number, py: number) =>
    p[Math.min(py, height - 1) * width + Math.min(px, width - 1)];
  const luma = (x0: number, y0: number) =>
    Array.from({ length: 64 }, (_, i) => at(y, x0 + (i & 7), y0 + (i >> 3)));
  // Chroma at half the width: the mean of each horizontal pair.
  const chroma = (p: Float64Array, x0: number, y0: number) =>
    Array.from({ length: 64 }, (_, i) => {
      const px = x0 + 2 * (i & 7);
      const py = y0 + (i >> 3);
      return (at(p, px, py) + at(p, px + 1, py)) / 2;
    });
  const lumaQ = quantTable(3);
  const chromaQ = quantTable(5);
  const bits = new Bits();
  const dc = [0, 0, 0];
  for (let my = 0; my < height; my += 8)
    for (let mx = 0; mx < width; mx += 16) {
      dc[0] = encodeBlock(bits, luma(mx, my), lumaQ, dc[0]);
      dc[0] = encodeBlock(bits, luma(mx + 8, my), lumaQ, dc[0]);
      dc[1] = encodeBlock(bits, chroma(cb, mx, my), chromaQ, dc[1]);
      dc[2] = encodeBlock(bits, chroma(cr, mx, my), chromaQ, dc[2]);
    }
  bits.end();
  const component = (id: number, sampling: number, table: number) => [
    id,
    sampling,
    table,
  ];
  return Buffer.from([
    0xff,
    0xd8,
    ...segment(0xdb, [
      0,
      ...ZIGZAG.map(i => lumaQ[i]),
      1,
      ...ZIGZAG.map(i => chromaQ[i]),
    ]),
    ...segment(0xc0, [
      8,
      height >> 8,
      height & 0xff,
      width >> 8,
      width & 0xff,
      3,
      ...component(1, 0x21, 0),
      ...component(2, 0x11, 1),
      ...component(3, 0x11, 1),
    ]),
    ...segment(0xc4, [
      ...huffmanSegment(DC, 0x00),
      ...huffmanSegment(AC, 0x10),
    ]),
    ...segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]),
    ...bits.bytes,
    0xff,
    0xd9,
  ]);
}
