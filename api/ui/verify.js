// Verification of a history in the browser, with WebCrypto only:
//   - RFC 6962 leaf hash SHA-256(0x00 || leaf) and inclusion proofs
//     (the algorithm of transparency-dev/merkle proof.VerifyInclusion),
//   - the C2SP tlog-checkpoint (a signed note: "origin\nsize\nbase64 root\n",
//     a blank line, then "— <name> <base64(4-byte key hash || signature)>"
//     lines), its Ed25519 signature checked against the note verifier key
//     "name+hexhash+base64(0x01 || 32-byte public key)".

const enc = new TextEncoder();

export function b64decode(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function b64encode(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

export function leafHash(leaf) { return sha256(concat(Uint8Array.of(0), leaf)); }
function nodeHash(l, r) { return sha256(concat(Uint8Array.of(1), l, r)); }

function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

function bitLen(x) { let n = 0; while (x > 0n) { n++; x >>= 1n; } return n; }
function onesCount(x) { let n = 0; while (x > 0n) { n += Number(x & 1n); x >>= 1n; } return n; }

// rootFromInclusionProof returns the root that the leaf hash at index and
// its proof lead to in a tree of size, or throws when the proof has the
// wrong length for that position.
export async function rootFromInclusionProof(index, size, hash, proof) {
  index = BigInt(index); size = BigInt(size);
  if (index >= size) throw new Error(`index ${index} is beyond the tree size ${size}`);
  const inner = bitLen(index ^ (size - 1n));
  const border = onesCount(index >> BigInt(inner));
  if (proof.length !== inner + border) throw new Error(`proof has ${proof.length} hashes, want ${inner + border}`);
  let seed = hash;
  for (let i = 0; i < inner; i++) {
    seed = ((index >> BigInt(i)) & 1n) === 0n ? await nodeHash(seed, proof[i]) : await nodeHash(proof[i], seed);
  }
  for (const h of proof.slice(inner)) seed = await nodeHash(h, seed);
  return seed;
}

// verifyInclusion reports whether leaf (its exact bytes) is at index in
// the tree of size whose root is root, by proof.
export async function verifyInclusion(leaf, index, size, proof, root) {
  try {
    return equal(await rootFromInclusionProof(index, size, await leafHash(leaf), proof), root);
  } catch {
    return false;
  }
}

// parseVerifierKey parses "name+hexhash+base64(0x01 || key)" and checks
// that the hash is the key's: the first 4 bytes of
// SHA-256(name || "\n" || 0x01 || key).
export async function parseVerifierKey(vkey) {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
  if (!m) throw new Error('malformed verifier key');
  const [, name, hashHex, keyB64] = m;
  const raw = b64decode(keyB64);
  if (raw.length !== 33 || raw[0] !== 1) throw new Error('not an Ed25519 verifier key');
  const want = (await sha256(concat(enc.encode(name + '\n'), raw))).slice(0, 4);
  if (hex(want) !== hashHex) throw new Error('the verifier key\'s hash does not match its key');
  return { name, hash: want, publicKey: raw.slice(1) };
}

// parseCheckpoint splits a signed note into its text, origin, size, root
// and signature lines.
export function parseCheckpoint(note) {
  const sep = note.indexOf('\n\n');
  if (sep < 0) throw new Error('checkpoint has no signatures');
  const text = note.slice(0, sep + 1);
  const lines = text.split('\n');
  if (lines.length < 4) throw new Error('checkpoint is too short');
  const sigs = [];
  for (const line of note.slice(sep + 2).split('\n')) {
    if (!line) continue;
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) throw new Error('malformed signature line');
    sigs.push({ name: m[1], sig: b64decode(m[2]) });
  }
  return { text, origin: lines[0], size: BigInt(lines[1]), root: b64decode(lines[2]), sigs };
}

// verifyCheckpoint checks the note's signature by the key. It returns
// "browser" when WebCrypto verified it, "server" when this browser has no
// Ed25519 (the server checked it), and throws when the signature is
// missing or wrong.
export async function verifyCheckpoint(cp, key) {
  const sig = cp.sigs.find((s) => s.name === key.name && s.sig.length === 68 && equal(s.sig.slice(0, 4), key.hash));
  if (!sig) throw new Error('no signature by the log\'s key');
  let pub;
  try {
    pub = await crypto.subtle.importKey('raw', key.publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return 'server';
  }
  const ok = await crypto.subtle.verify({ name: 'Ed25519' }, pub, sig.sig.slice(4), enc.encode(cp.text));
  if (!ok) throw new Error('bad signature');
  return 'browser';
}
