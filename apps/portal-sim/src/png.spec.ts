import { inflateSync } from 'node:zlib';
import { crc32, encodeGreyPng, PNG_SIGNATURE } from './png';

interface Chunk {
  type: string;
  data: Buffer;
  crcOk: boolean;
}

function chunksOf(png: Buffer): Chunk[] {
  const chunks: Chunk[] = [];
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const typeAndData = png.subarray(offset + 4, offset + 8 + length);
    chunks.push({
      type: typeAndData.subarray(0, 4).toString('ascii'),
      data: typeAndData.subarray(4),
      crcOk: png.readUInt32BE(offset + 8 + length) === crc32(typeAndData),
    });
    offset += 12 + length;
  }
  return chunks;
}

describe('encodeGreyPng', () => {
  const width = 7;
  const height = 3;
  const pixels = Uint8Array.from({ length: width * height }, (_, i) => (i * 37) % 256);
  const png = encodeGreyPng({ width, height, pixels });

  it('starts with the PNG signature', () => {
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  it('writes IHDR, IDAT, IEND with valid CRCs', () => {
    const chunks = chunksOf(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(chunks.every((c) => c.crcOk)).toBe(true);
  });

  it('declares the size, 8-bit greyscale and no interlace in IHDR', () => {
    const ihdr = chunksOf(png)[0].data;
    expect(ihdr.readUInt32BE(0)).toBe(width);
    expect(ihdr.readUInt32BE(4)).toBe(height);
    expect([...ihdr.subarray(8)]).toEqual([8, 0, 0, 0, 0]);
  });

  it('stores every pixel, each scanline after a filter byte', () => {
    const raw = inflateSync(chunksOf(png)[1].data);
    expect(raw.length).toBe((width + 1) * height);
    for (let y = 0; y < height; y++) {
      expect(raw[y * (width + 1)]).toBe(0);
      expect([...raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1))]).toEqual([...pixels.subarray(y * width, (y + 1) * width)]);
    }
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('rejects a bitmap whose pixel count does not match its size', () => {
    expect(() => encodeGreyPng({ width: 2, height: 2, pixels: new Uint8Array(3) })).toThrow(RangeError);
  });
});
