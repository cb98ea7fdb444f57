// The teller's cryptography in the browser: the device's side of the key ceremony and of
// the count. It follows docs/CRYPTO.md and the byte layouts of ballot/ceremony byte for
// byte; the Go tests run it in chromium against the Go implementation.
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { pippenger } from '@noble/curves/abstract/curve.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';

const Point = ristretto255.Point;
const L = Point.Fn.ORDER;
const G = Point.BASE;
const enc = new TextEncoder();

export const SEALED_SIZE = 84;

// ---- bytes, scalars, points

export function hex(b) {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function unhex(s) {
  if (typeof s !== 'string' || s.length % 2 || /[^0-9a-fA-F]/.test(s)) throw new Error('bad hex');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// leToBig reads little-endian bytes as a number, through one hex string rather than a
// shift per byte: the count reads a scalar for every point it decrypts.
function leToBig(b) {
  let h = '0x0';
  for (let i = b.length - 1; i >= 0; i--) h += (b[i] < 16 ? '0' : '') + b[i].toString(16);
  return BigInt(h);
}

export function scalarBytes(s) {
  const out = new Uint8Array(32);
  let v = s;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

// parseScalar refuses a non-canonical encoding, as Go's does.
export function parseScalar(b) {
  if (b.length !== 32) throw new Error('scalar size');
  const v = leToBig(b);
  if (v >= L) throw new Error('non-canonical scalar');
  return v;
}

const mod = (a) => ((a % L) + L) % L;

// randomScalar draws a secret scalar as docs/CRYPTO.md says: HashToScalar(64 bytes of the
// random source, "minyi-v1-nonce"). rnd(n) gives n bytes; the tests pass the vectors' streams.
export function randomScalar(rnd = systemRandom) {
  return hashToScalar(rnd(64), enc.encode('minyi-v1-nonce'));
}

export function systemRandom(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

// stream reads a fixed byte string in order, as the known-answer vectors list it.
export function stream(bytes) {
  let at = 0;
  return (n) => {
    if (at + n > bytes.length) throw new Error('random stream exhausted');
    at += n;
    return bytes.slice(at - n, at);
  };
}

export function point(b) {
  return Point.fromBytes(b);
}

// mul is s·P for any scalar, zero included (noble's multiply refuses 0).
function mul(P, s) {
  s = mod(s);
  return s === 0n ? Point.ZERO : P.multiply(s);
}

// mulPublic is s·P for public values only (not constant time).
function mulPublic(P, s) {
  return P.multiplyUnsafe(mod(s));
}

// hashToScalar is circl's Ristretto255.HashToScalar: expand_message_xmd(SHA-512, dst) to 64
// bytes, read little-endian, reduced mod ℓ.
export function hashToScalar(msg, dst) {
  return mod(leToBig(xmd64(msg, dst)));
}

// xmd64 is expand_message_xmd(msg, dst, 64, SHA-512) of RFC 9380 §5.3.1 for a DST of at
// most 255 bytes: with 64 bytes out, one block, b_1. The hash of its 128 zero bytes of
// padding is worked out once; the count hashes a scalar for every point it decrypts.
const zpad = sha512.create().update(new Uint8Array(128));
function xmd64(msg, dst) {
  if (dst.length > 255) return expand_message_xmd(msg, dst, 64, sha512);
  const dstPrime = concat(dst, Uint8Array.of(dst.length));
  const b0 = zpad.clone().update(msg).update(Uint8Array.of(0, 64, 0)).update(dstPrime).digest();
  return sha512(concat(b0, Uint8Array.of(1), dstPrime));
}

// ---- the key ceremony (ballot/ceremony)

export function commKey(rnd = systemRandom) {
  const x = randomScalar(rnd);
  return { x, X: G.multiply(x).toBytes() };
}

// deal draws a degree-(k−1) polynomial: its commitments (k points) and f(1)…f(n).
export function deal(k, n, rnd = systemRandom) {
  const coeffs = Array.from({ length: k }, () => randomScalar(rnd));
  const commitments = coeffs.map((a) => G.multiply(a).toBytes());
  const shares = [];
  for (let j = 1; j <= n; j++) {
    let v = 0n;
    for (let l = k - 1; l >= 0; l--) v = mod(v * BigInt(j) + coeffs[l]);
    shares.push(v);
  }
  return { commitments, shares };
}

// commitPoints splits k×32 bytes into points.
export function commitPoints(b) {
  const out = [];
  for (let at = 0; at < b.length; at += 32) out.push(point(b.slice(at, at + 32)));
  return out;
}

// evalCommitments is Σ_l j^l·C_l.
function evalCommitments(j, C) {
  let acc = C[C.length - 1];
  for (let l = C.length - 2; l >= 0; l--) acc = mulPublic(acc, BigInt(j)).add(C[l]);
  return acc;
}

export function verifyDealt(j, share, C) {
  return mul(G, share).equals(evalCommitments(j, C));
}

export function publicShare(j, all) {
  return all.reduce((acc, C) => acc.add(evalCommitments(j, C)), Point.ZERO);
}

export function jointKey(all) {
  return all.reduce((acc, C) => acc.add(C[0]), Point.ZERO);
}

// sealText is docs/CRYPTO.md §8: R ‖ XChaCha20-Poly1305 of u32(len) ‖ text ‖ padding, keyed
// by SHA-512("minyi-v1-text" ‖ u16(len ctx) ‖ ctx ‖ R ‖ e·K).
export function sealText(K, ctx, text, size, rnd = systemRandom) {
  if (text.length > size) throw new Error('text too long');
  const e = randomScalar(rnd);
  const R = G.multiply(e);
  const h = sha512(concat(enc.encode('minyi-v1-text'), lp(ctx), R.toBytes(), point(K).multiply(e).toBytes()));
  const plain = new Uint8Array(4 + size);
  new DataView(plain.buffer).setUint32(0, text.length);
  plain.set(text, 4);
  return concat(R.toBytes(), xchacha20poly1305(h.slice(0, 32), h.slice(32, 56), ctx).encrypt(plain));
}

// openText opens a sealed text with x, the secret of the key it was sealed to.
export function openText(x, ctx, sealed) {
  const R = point(sealed.slice(0, 32));
  const h = sha512(concat(enc.encode('minyi-v1-text'), lp(ctx), R.toBytes(), R.multiply(x).toBytes()));
  const plain = xchacha20poly1305(h.slice(0, 32), h.slice(32, 56), ctx).decrypt(sealed.slice(32));
  const n = new DataView(plain.buffer, plain.byteOffset).getUint32(0);
  if (n > plain.length - 4) throw new Error('bad text length');
  return plain.slice(4, 4 + n);
}

// dealtContext names the poll, the dealer and the seat a dealt share belongs to.
function dealtContext(pollID, i, j) {
  return concat(enc.encode('minyi-v1-dealt'), Uint8Array.of(0), enc.encode(pollID), Uint8Array.of(0), enc.encode(String(i)), Uint8Array.of(0), enc.encode(String(j)));
}

// seal is dealer i's share for seat j, sealed to j's communication (transport) key
// (docs/CRYPTO.md §2, 84 bytes).
export function seal(pollID, i, j, theirs, share, rnd = systemRandom) {
  return sealText(theirs, dealtContext(pollID, i, j), scalarBytes(share), 32, rnd);
}

// open reads what dealer i sealed to this seat j; it throws when the box does not open.
export function open(pollID, i, j, x, sealed) {
  if (sealed.length !== SEALED_SIZE) throw new Error('sealed share size');
  return parseScalar(openText(x, dealtContext(pollID, i, j), sealed));
}

// sealedFor picks the share dealer i sealed to seat j out of i's post.
export function sealedFor(sealed, i, j) {
  const at = j > i ? j - 2 : j - 1;
  return sealed.slice(at * SEALED_SIZE, (at + 1) * SEALED_SIZE);
}

export function uuidBytes(s) {
  return unhex(s.replace(/-/g, ''));
}

// transcript hashes the ceremony's whole public record (ballot/ceremony Public.Transcript).
export function transcript(rec) {
  return sha256(concat(
    enc.encode('minyi-v1-ceremony'), uuidBytes(rec.ceremony), uuidBytes(rec.poll), Uint8Array.of(rec.k, rec.n),
    ...rec.comm_keys.map(unhex), ...rec.commitments.map(unhex), ...rec.sealed.map(unhex)));
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// code is the 核对码: the transcript's first 60 bits, 12 symbols grouped 4-4-4.
export function code(t) {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(t[i]);
  v >>= 4n;
  let out = '';
  for (let i = 11; i >= 0; i--) {
    out += CROCKFORD[Number((v >> BigInt(5 * i)) & 31n)];
    if (i % 4 === 0 && i > 0) out += '-';
  }
  return out;
}

// ---- the count: partial decryption with a batch Chaum–Pedersen proof (circl zk/dleq
// ProveBatch, H = SHA-512, over ristretto255)

function u16(n) {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

function lp(b) {
  return concat(u16(b.length), b);
}

// dleqBatch proves log_G(kA) = log_{B_x}(kB_x) for all x, exactly as circl's
// Prover.ProveBatchWithRandomness with the given DST, and returns c ‖ s.
// Bb and kBb, when given, are the encodings of B and kB, which the caller often has: a
// point's encoding costs about as much as the rest of its share of the proof.
export function dleqBatch(dst, k, kA, B, kB, rnd = systemRandom, Bb = B.map((p) => p.toBytes()), kBb = kB.map((p) => p.toBytes())) {
  const kAb = kA.toBytes();
  const seed = sha512(concat(lp(kAb), lp(concat(enc.encode('Seed-'), dst))));
  const h2s = concat(enc.encode('HashToScalar-'), dst);
  const seedPart = lp(seed);
  const composite = enc.encode('Composite');
  const d = B.map((_, x) => hashToScalar(concat(seedPart, u16(x), lp(Bb[x]), lp(kBb[x]), composite), h2s));
  // M = Σ d_x·B_x of public values: one multi-scalar multiplication.
  const M = pippenger(Point, B, d);
  const Z = mul(M, k);
  const r = randomScalar(rnd);
  const t2 = G.multiply(r);
  const t3 = mul(M, r);
  const c = hashToScalar(concat(lp(G.toBytes()), lp(kAb), lp(M.toBytes()), lp(Z.toBytes()), lp(t2.toBytes()), lp(t3.toBytes()), enc.encode('Challenge')), h2s);
  const s = mod(r - c * k);
  return concat(scalarBytes(c), scalarBytes(s));
}

// partialDecrypt is teller j's share of the decryption of points (hex): D_x = s·A_x, with
// the batch proof elgamal.VerifyPartial checks. The context point H binds the proof to ctx
// and to the list; the proof is s·H ‖ c ‖ s.
//
// The encodings of the points are taken as given (a point parses only from its canonical
// encoding) and those of D computed once: encoding a ristretto255 point costs an inverse
// square root. D_x = s·A_x stays a constant-time multiplication, since s is the share.
export function partialDecrypt(j, s, pointsHex, ctx, rnd = systemRandom) {
  const Ab = pointsHex.map((h) => unhex(h));
  const A = Ab.map((b) => point(b));
  if (A.length > 0xffff) throw new Error('too many points');
  const msg = concat(lp(ctx), Uint8Array.of(0, 0, (A.length >> 8) & 0xff, A.length & 0xff), ...Ab);
  const H = ristretto255_hasher.hashToCurve(msg, { DST: 'minyi-v1-partial-context' });
  const D = A.map((a) => mul(a, s));
  const Db = D.map((p) => p.toBytes());
  const sH = mul(H, s);
  const sHb = sH.toBytes();
  const proof = dleqBatch(enc.encode('minyi-v1-partial'), s, mul(G, s), [...A, H], [...D, sH], rnd, [...Ab, H.toBytes()], [...Db, sHb]);
  return { teller: j, d: Db.map(hex), proof: hex(concat(sHb, proof)) };
}

// ---- the share's backup (elgamal.EncodeShare / DecodeShare) and its proof (ProveShare)

function shareCheck(pollID, j, sb) {
  const id = enc.encode(pollID);
  return sha256(concat(enc.encode('minyi-v1-share-code'), u16(id.length), id, Uint8Array.of(j), sb)).slice(0, 4);
}

export function encodeShare(pollID, j, s) {
  const sb = scalarBytes(s);
  const raw = concat(Uint8Array.of(j), sb, shareCheck(pollID, j, sb));
  let acc = 0n;
  for (const b of raw) acc = (acc << 8n) | BigInt(b);
  acc <<= 4n; // 296 bits + 4 zero bits = 60 symbols
  let out = '';
  for (let i = 59; i >= 0; i--) {
    out += CROCKFORD[Number((acc >> BigInt(5 * i)) & 31n)];
    if (i % 4 === 0 && i > 0) out += '-';
  }
  return out;
}

// decodeShare reads a share code as typed; it returns null when the code is malformed or
// is not this poll's.
export function decodeShare(pollID, code) {
  const syms = [];
  for (let ch of code.toUpperCase()) {
    if ('- \u3000\t\r\n'.includes(ch)) continue;
    if (ch === 'O') ch = '0';
    if (ch === 'I' || ch === 'L') ch = '1';
    const v = CROCKFORD.indexOf(ch);
    if (v < 0) return null;
    syms.push(v);
  }
  if (syms.length !== 60) return null;
  let acc = 0n;
  for (const v of syms) acc = (acc << 5n) | BigInt(v);
  if (acc & 15n) return null;
  acc >>= 4n;
  const raw = new Uint8Array(37);
  for (let i = 36; i >= 0; i--) {
    raw[i] = Number(acc & 0xffn);
    acc >>= 8n;
  }
  const j = raw[0];
  const sb = raw.slice(1, 33);
  const check = shareCheck(pollID, j, sb);
  if (j === 0 || hex(check) !== hex(raw.slice(33))) return null;
  try {
    return { j, s: parseScalar(sb) };
  } catch {
    return null;
  }
}

// proveShare is elgamal.ProveShare: a Schnorr proof of s for P = s·G over the challenge.
export function proveShare(s, challenge, rnd = systemRandom) {
  const u = randomScalar(rnd);
  const P = mul(G, s);
  const T = G.multiply(u);
  const c = hashToScalar(concat(lp(challenge), P.toBytes(), T.toBytes()), enc.encode('minyi-v1-share-proof'));
  return concat(scalarBytes(c), scalarBytes(mod(u + c * s)));
}

// Small helpers for the page.
export const commKeyOf = (x) => G.multiply(x).toBytes();
export const addScalars = (a, b) => mod(a + b);
export const mulBase = (s) => mul(G, s);
