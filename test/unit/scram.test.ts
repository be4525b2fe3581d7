// The SCRAM-SHA-256 verifier pgtop sends instead of a clear password,
// checked against RFC 7677's published exchange.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generatePassword, parseScramVerifier, passwordProblem, saslprep, scramKeys, scramVerifier } from '../../src/security/scram.js';

// RFC 7677 §3: user "user", password "pencil".
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const AUTH_MESSAGE = [
  'n=user,r=rOprNGfwEbeRWgbNEkqO',
  'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
].join(',');

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

describe('SCRAM-SHA-256 verifier', () => {
  it('holds the keys that reproduce the RFC 7677 client proof and server signature', () => {
    const verifier = scramVerifier('pencil', { salt: SALT, iterations: 4096 });
    const parsed = parseScramVerifier(verifier)!;
    expect(parsed.iterations).toBe(4096);
    expect(parsed.salt.equals(SALT)).toBe(true);
    // ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage): the server checks exactly this.
    const { clientKey } = scramKeys('pencil', SALT, 4096);
    const signature = hmac(parsed.storedKey, AUTH_MESSAGE);
    const proof = Buffer.from(clientKey.map((byte, i) => byte ^ signature[i]!));
    expect(proof.toString('base64')).toBe('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    expect(hmac(parsed.serverKey, AUTH_MESSAGE).toString('base64')).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });

  it('is in the format PostgreSQL stores, with a fresh salt each time', () => {
    const a = scramVerifier('correct horse battery staple');
    const b = scramVerifier('correct horse battery staple');
    expect(a).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('horse');
    expect(parseScramVerifier('md5' + 'a'.repeat(32))).toBeNull();
  });

  it('applies SASLprep like libpq: non-ASCII spaces and NFKC', () => {
    expect(saslprep('a\u00A0b')).toBe('a b');
    expect(saslprep('\uFB01x')).toBe('fix');
    expect(saslprep('soft\u00ADhyphen')).toBe('softhyphen');
    expect(scramVerifier('fix-it-now-please', { salt: SALT })).toBe(scramVerifier('\uFB01x-it-now-please', { salt: SALT }));
  });

  it('generates strong passwords and refuses weak or unprintable ones', () => {
    const passwords = new Set(Array.from({ length: 50 }, generatePassword));
    expect(passwords.size).toBe(50);
    for (const p of passwords) expect(p).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(passwordProblem('short')).toMatch(/at least 12/);
    expect(passwordProblem('long enough but\u0007bell')).toMatch(/control characters/);
    expect(passwordProblem("it's a long one, with spaces")).toBeNull();
  });
});
