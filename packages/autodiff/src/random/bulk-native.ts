// The bulk generator's native backend: native/random.c through the addon (the same bits as bulk-js.ts).
import { nativeAddon } from '../kernels/native.js';

/** A bulk fill: from and advancing the 4-word state, `count` values into out from `offset`. */
export type BulkFill = (state: Int32Array, out: Float64Array, offset: number, count: number) => void;

const addon = nativeAddon as { readonly randomNormal?: unknown; readonly randomUniform?: unknown } | null;

/** The addon's normal fill, or null where the addon is not loaded (or was built without random.c). */
export const fillNormalNative: BulkFill | null = typeof addon?.randomNormal === 'function' ? (addon.randomNormal as BulkFill) : null;

/** The addon's uniform fill, or null. */
export const fillUniformNative: BulkFill | null = typeof addon?.randomUniform === 'function' ? (addon.randomUniform as BulkFill) : null;
