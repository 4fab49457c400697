/**
 * Writes a tiny but valid GGUF (v3) model, so tests and benches can load a real model with
 * node-llama-cpp although no weights can be downloaded here. Written to the format's specification
 * (ggml's docs/gguf.md): header, metadata key/values, tensor infos, then 32-byte aligned F32 data.
 *
 * The model is a `llama` architecture with a few layers, tiny dimensions and seeded random weights;
 * its tokenizer is SentencePiece-style (`llama`) with all 256 byte tokens (`<0xXX>`), so any text
 * tokenizes (unknown characters fall back to bytes) and any byte sequence can be generated.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';

export interface TinyGgufOptions {
  seed?: number;
  layers?: number;
  embedding?: number;
  heads?: number;
  kvHeads?: number;
  feedForward?: number;
  contextLength?: number;
  /** Extra whole-word tokens besides the specials and the 256 bytes, e.g. `▁echo`. */
  words?: string[];
  /** `tokenizer.chat_template`: the Jinja template node-llama-cpp renders conversations with. */
  chatTemplate?: string;
  /** Extra control tokens, e.g. a template's role markers (`<|start_of_role|>`). */
  controlTokens?: string[];
  /** The end-of-text token, when it is one of `controlTokens` (default `</s>`). */
  eosToken?: string;
  /** `tokenizer.ggml.add_bos_token` (Granite's is false); unset leaves the tokenizer's default. */
  addBosToken?: boolean;
  /** `tokenizer.ggml.add_space_prefix` (Granite's is false: no space before text after a marker). */
  addSpacePrefix?: boolean;
}

export interface TinyGguf {
  bytes: Uint8Array;
  sha256: string;
  vocabSize: number;
}

const ALIGNMENT = 32;
// Metadata value types and the tensor type, from the GGUF specification.
const T = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;
const GGML_F32 = 0;
// llama.cpp token types: normal, unknown, control, byte.
const TOKEN = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

type Value =
  | { type: 'u32' | 'i32' | 'f32' | 'bool'; value: number }
  | { type: 'string'; value: string }
  | { type: 'array'; of: 'i32' | 'f32' | 'string'; values: (number | string)[] };

const DEFAULT_WORDS = ['▁echo', '▁ls', '▁cat', '▁git', '▁the', 'test', 'CONJECTURE_SUBMIT'];

export function buildTinyGguf(options: TinyGgufOptions = {}): TinyGguf {
  const layers = options.layers ?? 2;
  const embd = options.embedding ?? 32;
  const heads = options.heads ?? 4;
  const kvHeads = options.kvHeads ?? 2;
  const ff = options.feedForward ?? 64;
  const headDim = embd / heads;
  const tokens = ['<unk>', '<s>', '</s>', ...(options.controlTokens ?? [])];
  const types: number[] = [TOKEN.unknown, TOKEN.control, TOKEN.control];
  for (const _ of options.controlTokens ?? []) types.push(TOKEN.control);
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TOKEN.byte);
  }
  // SentencePiece builds a word by merging adjacent pieces, so every prefix of a word must be a
  // token too ("▁e", "▁ec", … "▁echo"), or the word is never reached.
  const pieces = new Set<string>();
  for (const word of options.words ?? DEFAULT_WORDS)
    for (let n = 1; n <= [...word].length; n++) pieces.add([...word].slice(0, n).join(''));
  for (const piece of pieces) {
    if ([...piece].length === 1 && piece !== '▁') continue; // single characters are byte tokens
    tokens.push(piece);
    types.push(TOKEN.normal);
  }
  const vocab = tokens.length;
  // SentencePiece merges pieces by score: longer words score higher so they win over bytes.
  const scores = tokens.map((t, i) => (types[i] === TOKEN.normal ? [...t].length : 0));

  const meta: [string, Value][] = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'conjecture-tiny-test' }],
    ['general.alignment', { type: 'u32', value: ALIGNMENT }],
    ['llama.context_length', { type: 'u32', value: options.contextLength ?? 4096 }],
    ['llama.embedding_length', { type: 'u32', value: embd }],
    ['llama.block_count', { type: 'u32', value: layers }],
    ['llama.feed_forward_length', { type: 'u32', value: ff }],
    ['llama.attention.head_count', { type: 'u32', value: heads }],
    ['llama.attention.head_count_kv', { type: 'u32', value: kvHeads }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.dimension_count', { type: 'u32', value: headDim }],
    ['llama.rope.freq_base', { type: 'f32', value: 10_000 }],
    ['llama.vocab_size', { type: 'u32', value: vocab }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'array', of: 'string', values: tokens }],
    ['tokenizer.ggml.scores', { type: 'array', of: 'f32', values: scores }],
    ['tokenizer.ggml.token_type', { type: 'array', of: 'i32', values: types }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: 0 }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: 1 }],
    [
      'tokenizer.ggml.eos_token_id',
      { type: 'u32', value: Math.max(2, tokens.indexOf(options.eosToken ?? '</s>')) },
    ],
    ...(options.addBosToken === undefined
      ? []
      : [
          ['tokenizer.ggml.add_bos_token', { type: 'bool', value: options.addBosToken ? 1 : 0 }] as [
            string,
            Value,
          ],
        ]),
    ...(options.addSpacePrefix === undefined
      ? []
      : [
          ['tokenizer.ggml.add_space_prefix', { type: 'bool', value: options.addSpacePrefix ? 1 : 0 }] as [
            string,
            Value,
          ],
        ]),
    ...(options.chatTemplate
      ? [['tokenizer.chat_template', { type: 'string', value: options.chatTemplate }] as [string, Value]]
      : []),
  ];

  // ggml shapes list the innermost dimension first: a [in, out] matrix maps `in` features to `out`.
  const tensors: [string, number[]][] = [['token_embd.weight', [embd, vocab]]];
  for (let i = 0; i < layers; i++) {
    tensors.push(
      [`blk.${i}.attn_norm.weight`, [embd]],
      [`blk.${i}.attn_q.weight`, [embd, embd]],
      [`blk.${i}.attn_k.weight`, [embd, kvHeads * headDim]],
      [`blk.${i}.attn_v.weight`, [embd, kvHeads * headDim]],
      [`blk.${i}.attn_output.weight`, [embd, embd]],
      [`blk.${i}.ffn_norm.weight`, [embd]],
      [`blk.${i}.ffn_gate.weight`, [embd, ff]],
      [`blk.${i}.ffn_up.weight`, [embd, ff]],
      [`blk.${i}.ffn_down.weight`, [ff, embd]],
    );
  }
  tensors.push(['output_norm.weight', [embd]], ['output.weight', [embd, vocab]]);

  const random = mulberry32(options.seed ?? 42);
  const out = new ByteWriter();
  out.raw(new TextEncoder().encode('GGUF'));
  out.u32(3);
  out.u64(tensors.length);
  out.u64(meta.length);
  for (const [key, value] of meta) {
    out.string(key);
    writeValue(out, value);
  }
  let offset = 0;
  const data: Float32Array[] = [];
  for (const [name, dims] of tensors) {
    out.string(name);
    out.u32(dims.length);
    for (const d of dims) out.u64(d);
    out.u32(GGML_F32);
    out.u64(offset);
    const count = dims.reduce((a, b) => a * b, 1);
    const values = new Float32Array(count);
    // Norm weights are ones (an identity scale); matrices are small uniform noise.
    const isNorm = name.endsWith('norm.weight');
    for (let j = 0; j < count; j++) values[j] = isNorm ? 1 : (random() * 2 - 1) * 0.5;
    data.push(values);
    offset = align(offset + count * 4);
  }
  out.pad(ALIGNMENT);
  for (const values of data) {
    out.raw(new Uint8Array(values.buffer));
    out.pad(ALIGNMENT);
  }
  const bytes = out.bytes();
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), vocabSize: vocab };
}

/** Writes the tiny model to `path` and returns its checksum. */
export function writeTinyGguf(path: string, options: TinyGgufOptions = {}): TinyGguf {
  const model = buildTinyGguf(options);
  writeFileSync(path, model.bytes);
  return model;
}

function writeValue(out: ByteWriter, v: Value): void {
  if (v.type === 'array') {
    out.u32(T.array);
    out.u32(T[v.of]);
    out.u64(v.values.length);
    for (const item of v.values) writeScalar(out, v.of, item);
    return;
  }
  out.u32(T[v.type]);
  writeScalar(out, v.type, v.value);
}

function writeScalar(
  out: ByteWriter,
  type: 'u32' | 'i32' | 'f32' | 'bool' | 'string',
  value: number | string,
): void {
  if (type === 'string') out.string(String(value));
  else if (type === 'bool') out.raw(new Uint8Array([value ? 1 : 0]));
  else if (type === 'u32') out.u32(Number(value));
  else if (type === 'i32') out.i32(Number(value));
  else out.f32(Number(value));
}

function align(n: number): number {
  return Math.ceil(n / ALIGNMENT) * ALIGNMENT;
}

/** A small seeded PRNG so the same seed always gives the same file (and checksum). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Little-endian writer that grows as needed. */
class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  private put(size: number, write: (view: DataView, at: number) => void): void {
    this.reserve(size);
    write(this.view, this.length);
    this.length += size;
  }
  u32(n: number): void {
    this.put(4, (v, at) => v.setUint32(at, n, true));
  }
  i32(n: number): void {
    this.put(4, (v, at) => v.setInt32(at, n, true));
  }
  f32(n: number): void {
    this.put(4, (v, at) => v.setFloat32(at, n, true));
  }
  u64(n: number): void {
    this.put(8, (v, at) => v.setBigUint64(at, BigInt(n), true));
  }
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }
  string(s: string): void {
    const bytes = new TextEncoder().encode(s);
    this.u64(bytes.length);
    this.raw(bytes);
  }
  pad(alignment: number): void {
    const target = Math.ceil(this.length / alignment) * alignment;
    this.raw(new Uint8Array(target - this.length));
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
