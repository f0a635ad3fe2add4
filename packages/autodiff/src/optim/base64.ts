// Base64 of bytes without Node's Buffer, so optimizer states serialize in a browser too.
import { OptimizerError } from './types.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CODES = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) CODES[ALPHABET.charCodeAt(i)] = i;

/** Standard base64 with padding (RFC 4648 §4), the same text as Node's `Buffer#toString('base64')`. */
export function base64Encode(bytes: Uint8Array): string {
  const parts: string[] = [];
  let line = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const b2 = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    line +=
      ALPHABET[(n >> 18) & 63]! +
      ALPHABET[(n >> 12) & 63]! +
      (i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63]! : '=') +
      (i + 2 < bytes.length ? ALPHABET[n & 63]! : '=');
    // join in chunks: one long += chain is quadratic on some engines
    if (line.length >= 8192) {
      parts.push(line);
      line = '';
    }
  }
  parts.push(line);
  return parts.join('');
}

/** Decodes standard base64 (padding optional); any other character is an error naming `what`. */
export function base64Decode(text: string, what: string): Uint8Array {
  const trimmed = text.replace(/=+$/, '');
  if (trimmed.length % 4 === 1) throw new OptimizerError(`${what}: base64 text of ${text.length} characters is truncated`);
  const out = new Uint8Array(Math.floor((trimmed.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed.charCodeAt(i);
    const v = c < 128 ? CODES[c]! : -1;
    if (v < 0) throw new OptimizerError(`${what}: ${JSON.stringify(trimmed[i])} at ${i} is not a base64 character`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}
